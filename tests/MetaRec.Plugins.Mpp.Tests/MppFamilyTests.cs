using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Mpp.Tests;

public sealed class MppFamilyTests
{
    private readonly Catalogue _catalogue = SyntheticTasks.Catalogue();

    public MppFamilyTests() => TorchRuntime.EnsureInitialized();

    private static IModelFamily Family(string name) => new MppPlugin().Families.Single(f => f.Name == name);

    [Fact]
    public void Mpp_adapts_only_the_top_layer_by_default()
    {
        using var model = Family("mpp").Create(_catalogue, new Dictionary<string, string> { ["hidden2"] = "16" }, seed: 3);
        Assert.Equal(16 + 1, model.Info.AdaptiveParameters); // out weight (16x1), out bias
        Assert.Equal("out", model.Info.Settings["adaptive"]);
    }

    [Fact]
    public void A_user_vector_can_be_the_adaptive_part()
    {
        var settings = new Dictionary<string, string> { ["user_dim"] = "12", ["adaptive"] = "user_vector,user_bias" };
        using var model = Family("mpp").Create(_catalogue, settings, seed: 3);
        Assert.Equal(12 + 1, model.Info.AdaptiveParameters);
        var user = SyntheticTasks.Tasks(_catalogue, 1)[0];
        Assert.Equal(13, model.Adapt(user).Values.Length);

        var missing = Assert.Throws<ArgumentException>(() => Family("mpp").Create(_catalogue, new Dictionary<string, string> { ["adaptive"] = "user_vector" }, seed: 3));
        Assert.Contains("user_dim", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Melu_adapts_every_decision_layer_and_no_embedding()
    {
        var settings = new Dictionary<string, string> { ["embedding_dim"] = "4", ["hidden1"] = "8", ["hidden2"] = "6" };
        using var model = Family("melu").Create(_catalogue, settings, seed: 3);
        var input = 4 * (2 + _catalogue.Schema.UserFieldCount);
        Assert.Equal((input * 8) + 8 + (8 * 6) + 6 + 6 + 1, model.Info.AdaptiveParameters);
    }

    [Fact]
    public void Pooled_does_not_adapt_and_fine_tuning_adapts_everything()
    {
        using var pooled = Family("pooled").Create(_catalogue, new Dictionary<string, string>(), seed: 3);
        using var fineTune = Family("pooled-finetune").Create(_catalogue, new Dictionary<string, string>(), seed: 3);
        Assert.Equal(0, pooled.Info.AdaptiveParameters);
        Assert.Equal(fineTune.Info.TotalParameters, fineTune.Info.AdaptiveParameters);
        Assert.Throws<NotSupportedException>(() => pooled.Train(SyntheticTasks.Tasks(_catalogue, 2), TrainStage.Online));
    }

    [Fact]
    public void Fine_tuning_can_be_limited_to_named_layers_and_only_it_accepts_all()
    {
        var settings = new Dictionary<string, string> { ["hidden2"] = "16", ["adaptive"] = "out,user_bias" };
        using var fineTune = Family("pooled-finetune").Create(_catalogue, settings, seed: 3);
        Assert.Equal(16 + 1 + 1, fineTune.Info.AdaptiveParameters);
        var user = SyntheticTasks.Tasks(_catalogue, 1)[0];
        Assert.Equal(18, fineTune.Adapt(user).Values.Length);

        var error = Assert.Throws<ArgumentException>(() => Family("mpp").Create(_catalogue, new Dictionary<string, string> { ["adaptive"] = "all" }, seed: 3));
        Assert.Contains("adaptive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_online_stage_keeps_the_fixed_part_frozen()
    {
        using var model = Family("mpp").Create(_catalogue, new Dictionary<string, string> { ["online_lr"] = "0.05", ["adaptive"] = "out,user_bias" }, seed: 3);
        var tasks = SyntheticTasks.Tasks(_catalogue, 6);
        model.Train(tasks, TrainStage.Offline);
        var before = Tensors(model);

        model.Train(tasks, TrainStage.Online);
        var after = Tensors(model);

        foreach (var name in before.Keys)
        {
            var adaptive = name.StartsWith("out_", StringComparison.Ordinal) || name == "user_bias";
            if (adaptive)
            {
                Assert.NotEqual(before[name], after[name]);
            }
            else
            {
                Assert.Equal(before[name], after[name]);
            }
        }
    }

    [Fact]
    public void Adapting_to_a_user_lowers_that_users_support_loss()
    {
        using var model = Family("mpp").Create(_catalogue, new Dictionary<string, string>(), seed: 3);
        var tasks = SyntheticTasks.Tasks(_catalogue, 16);
        for (var i = 0; i < 30; i++)
        {
            model.Train(tasks, TrainStage.Offline);
        }
        var user = SyntheticTasks.Tasks(_catalogue, 1, support: 20, seed: 99)[0];
        var items = user.Support.Select(e => e.Item).ToArray();

        var cold = Metrics.LogLoss(model.Score(user.UserFields, null, items), [.. user.Support.Select(e => e.Label)]);
        var adapted = Metrics.LogLoss(model.Score(user.UserFields, model.Adapt(user), items), [.. user.Support.Select(e => e.Label)]);

        Assert.True(adapted < cold, $"support log loss {cold} -> {adapted}");
    }

    private static Dictionary<string, float[]> Tensors(IRecModel model)
    {
        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        return ModelCheckpoint.Read(buffer).Tensors.ToDictionary(t => t.Name, t => t.Values);
    }
}
