using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.LiMaml.Tests;

public sealed class LiMamlConformanceTests : ModelFamilyConformanceTests
{
    private static readonly Dictionary<string, string> Small = new() { ["dim"] = "8", ["meta_hidden"] = "16", ["embedding_size"] = "8", ["hidden1"] = "16", ["hidden2"] = "8", ["outer_lr"] = "0.01" };

    public LiMamlConformanceTests() => TorchRuntime.EnsureInitialized();

    protected override IModelFamily Family => new LiMamlPlugin().Families.Single(f => f.Name == "limaml");

    protected override IReadOnlyDictionary<string, string> Settings => Small;
}

public sealed class WideDeepConformanceTests : ModelFamilyConformanceTests
{
    private static readonly Dictionary<string, string> Small = new() { ["dim"] = "8", ["embedding_size"] = "8", ["user_buckets"] = "64", ["hidden1"] = "16", ["hidden2"] = "8", ["outer_lr"] = "0.01" };

    public WideDeepConformanceTests() => TorchRuntime.EnsureInitialized();

    protected override IModelFamily Family => new LiMamlPlugin().Families.Single(f => f.Name == "wide-deep");

    protected override IReadOnlyDictionary<string, string> Settings => Small;
}

public sealed class WideDeepTests
{
    public WideDeepTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void A_user_never_trained_on_has_a_zero_id_row_and_a_trained_user_does_not()
    {
        var catalogue = SyntheticTasks.Catalogue();
        using var model = new LiMamlPlugin().Families.Single(f => f.Name == "wide-deep")
            .Create(catalogue, new Dictionary<string, string> { ["user_buckets"] = "1000003", ["outer_lr"] = "0.01" }, seed: 1);
        var trained = SyntheticTasks.Tasks(catalogue, 4);
        model.Train(trained, TrainStage.Offline);

        Assert.All(model.Adapt(trained[0] with { UserId = "never-seen-user" }).Values, v => Assert.Equal(0f, v));
        Assert.Contains(model.Adapt(trained[0]).Values, v => v != 0f);
        Assert.Equal(33, model.Info.AdaptiveParameters); // 32-wide id embedding + id bias
    }
}

public sealed class LiMamlTests
{
    private readonly Catalogue _catalogue = SyntheticTasks.Catalogue();
    private readonly IModelFamily _family = new LiMamlPlugin().Families.Single(f => f.Name == "limaml");

    public LiMamlTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void The_user_state_is_a_meta_embedding_of_the_configured_size()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string> { ["embedding_size"] = "24" }, seed: 2);
        var user = SyntheticTasks.Tasks(_catalogue, 1)[0];

        var state = model.Adapt(user);

        Assert.Equal(24, state.Values.Length);
        Assert.Equal(24, model.Info.AdaptiveParameters);
        Assert.Equal(96, state.Bytes);
        Assert.Equal("true", model.Info.Settings["first_order"]);
    }

    [Fact]
    public void Refresh_is_deterministic_and_depends_on_the_users_interactions()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string>(), seed: 2);
        var users = SyntheticTasks.Tasks(_catalogue, 2, seed: 8);

        Assert.Equal(model.Adapt(users[0]).Values, model.Adapt(users[0]).Values);
        Assert.NotEqual(model.Adapt(users[0]).Values, model.Adapt(users[1]).Values);
    }

    [Fact]
    public void Adapting_the_meta_block_lowers_the_users_support_loss()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string>(), seed: 2);
        var tasks = SyntheticTasks.Tasks(_catalogue, 16);
        for (var i = 0; i < 30; i++)
        {
            model.Train(tasks, TrainStage.Offline);
        }
        var user = SyntheticTasks.Tasks(_catalogue, 1, support: 20, seed: 77)[0];
        var items = user.Support.Select(e => e.Item).ToArray();

        var cold = Metrics.LogLoss(model.Score(user.UserFields, null, items), [.. user.Support.Select(e => e.Label)]);
        var refreshed = Metrics.LogLoss(model.Score(user.UserFields, model.Adapt(user), items), [.. user.Support.Select(e => e.Label)]);

        Assert.True(refreshed < cold, $"support log loss {cold} -> {refreshed}");
    }

    [Fact]
    public void Unknown_items_in_a_support_set_are_named()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string>(), seed: 2);
        var user = new UserTask("u-9", [0, 0], [new Example(3, 1, 5), new Example(4000, 0, 1)], []);

        var error = Assert.ThrowsAny<ArgumentException>(() => model.Adapt(user));

        Assert.Contains("4000", error.Message, StringComparison.Ordinal);
        Assert.Contains("u-9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scoring_from_the_cached_item_side_equals_the_full_global_block()
    {
        using var network = new LiMamlNetwork(_catalogue, dim: 8, metaHidden: 16, embeddingSize: 8, hidden1: 16, hidden2: 8);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var weights = network.NamedParameters.ToDictionary(p => p.Name, p => (TorchSharp.torch.Tensor)p.Parameter);
        int[] items = [5, 0, 39, 5, 17];
        var input = MetaRec.Core.MetaLearning.TaskTensors.ForScoring([1, 2], items);
        var embedding = TorchSharp.torch.randn(1, 8);

        var direct = network.Global(embedding, network.Encode(input, weights), weights).reshape(-1).data<float>().ToArray();
        var rows = network.CatalogueItemSide(weights).index_select(0, TorchSharp.torch.tensor(items.Select(i => (long)i).ToArray()));
        var cached = LiMamlNetwork.GlobalFromItemSide(embedding, rows, weights).data<float>().ToArray();

        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal(direct[i], cached[i], 1e-5);
        }
    }

    [Fact]
    public void Whole_catalogue_and_candidate_scores_agree_and_training_refreshes_the_cache()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string> { ["outer_lr"] = "0.01" }, seed: 2);
        var user = SyntheticTasks.Tasks(_catalogue, 1)[0];
        var state = model.Adapt(user);
        var all = model.Score(user.UserFields, state, [.. Enumerable.Range(0, _catalogue.Schema.ItemCount)]);
        var some = model.Score(user.UserFields, state, [7, 3]);
        Assert.Equal(all[7], some[0], 1e-6);
        Assert.Equal(all[3], some[1], 1e-6);

        model.Train(SyntheticTasks.Tasks(_catalogue, 8), TrainStage.Offline);

        Assert.NotEqual(some, model.Score(user.UserFields, state, [7, 3]));
    }

    [Fact]
    public void Ranking_the_catalogue_equals_sorting_its_scores_and_follows_training()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string> { ["outer_lr"] = "0.01" }, seed: 2);
        model.Train(SyntheticTasks.Tasks(_catalogue, 8), TrainStage.Offline);
        var ranker = Assert.IsAssignableFrom<ICatalogueRanker>(model);
        var user = SyntheticTasks.Tasks(_catalogue, 1)[0];
        var items = Enumerable.Range(0, _catalogue.Schema.ItemCount).ToArray();

        foreach (var state in new[] { model.Adapt(user), null })
        {
            var scores = model.Score(user.UserFields, state, items);
            var excluded = items.OrderByDescending(i => scores[i]).Take(2).ToHashSet();
            var expected = items.Where(i => !excluded.Contains(i)).OrderByDescending(i => scores[i]).Take(10).ToArray();

            var ranking = ranker.Rank(user.UserFields, state, 10, excluded);

            Assert.Equal(expected, ranking.Rows);
            Assert.All(ranking.Rows.Zip(ranking.Scores), pair => Assert.Equal(scores[pair.First], pair.Second, 1e-5));
        }

        // Training changes the weights: the ranking is rebuilt from the new ones.
        var before = ranker.Rank(user.UserFields, null, 5, null).Scores;
        model.Train(SyntheticTasks.Tasks(_catalogue, 8), TrainStage.Offline);
        var after = model.Score(user.UserFields, null, [.. ranker.Rank(user.UserFields, null, 5, null).Rows]);
        Assert.Equal(after, ranker.Rank(user.UserFields, null, 5, null).Scores, (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void There_is_no_online_stage()
    {
        using var model = _family.Create(_catalogue, new Dictionary<string, string>(), seed: 2);
        Assert.Throws<NotSupportedException>(() => model.Train(SyntheticTasks.Tasks(_catalogue, 2), TrainStage.Online));
    }
}
