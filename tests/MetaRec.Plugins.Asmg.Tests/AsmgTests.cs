using MetaRec.Abstractions;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Asmg.Tests;

public sealed class AsmgConformanceTests : ModelFamilyConformanceTests
{
    private static readonly Dictionary<string, string> Fast = new() { ["lr"] = "0.01" };

    public AsmgConformanceTests() => TorchRuntime.EnsureInitialized();

    protected override IModelFamily Family => new AsmgPlugin().Families.Single();

    protected override IReadOnlyDictionary<string, string> Settings => Fast;
}

public sealed class AsmgModelTests
{
    public AsmgModelTests() => TorchRuntime.EnsureInitialized();

    private static readonly Catalogue Catalogue = SyntheticTasks.Catalogue();

    [Fact]
    public void The_state_is_the_mean_of_the_last_positive_history_items_and_changes_the_scores()
    {
        using var model = (AsmgModel)new AsmgPlugin().Families.Single().Create(Catalogue, new Dictionary<string, string> { ["history"] = "2" }, seed: 3);
        int[] fields = [1, 2];
        var recent = new UserTask("u", fields, [new Example(7, 1, 5), new Example(3, 1, 4), new Example(9, 0, 1), new Example(5, 1, 5)], []);
        var onlyLastTwo = new UserTask("u", fields, [new Example(3, 1, 4), new Example(5, 1, 5)], []);

        var state = model.Adapt(recent);

        Assert.Equal(16, state.Values.Length); // [item ‖ category], dim 8
        Assert.Equal(model.Adapt(onlyLastTwo).Values, state.Values); // item 7 falls out, the negative 9 never counts
        Assert.All(model.Adapt(new UserTask("u", fields, [], [])).Values, v => Assert.Equal(0f, v));
        Assert.NotEqual(model.Score(fields, null, [1, 2]), model.Score(fields, state, [1, 2]));
    }
}

public sealed class GeneratorTests
{
    private static readonly Catalogue Catalogue = SyntheticTasks.Catalogue();

    public GeneratorTests() => TorchRuntime.EnsureInitialized();

    private static IGeneratorFamily Generator(string name) => new AsmgPlugin().Generators.Single(g => g.Name == name);

    /// <summary>Three period models: each a copy of the last trained one more step on its own period.</summary>
    private static List<IRecModel> PeriodModels(IReadOnlyList<IReadOnlyList<UserTask>> periods)
    {
        var family = new AsmgPlugin().Families.Single();
        var models = new List<IRecModel>();
        var current = family.Create(Catalogue, new Dictionary<string, string> { ["lr"] = "0.01" }, seed: 5);
        foreach (var period in periods)
        {
            for (var i = 0; i < 5; i++)
            {
                current.Train(period, TrainStage.Offline);
            }
            models.Add(current);
            using var buffer = new MemoryStream();
            current.Save(buffer);
            buffer.Position = 0;
            current = family.Load(buffer);
        }
        current.Dispose();
        return models;
    }

    private static IReadOnlyList<IReadOnlyList<UserTask>> Periods(int count) =>
        [.. Enumerable.Range(0, count).Select(p => SyntheticTasks.Tasks(Catalogue, users: 8, seed: 20 + p))];

    [Theory]
    [InlineData("asmg-gru")]
    [InlineData("asmg-linear")]
    public void Training_on_the_next_periods_lowers_the_generated_models_loss_there(string name)
    {
        var periods = Periods(4);
        var models = PeriodModels(periods.Take(3).ToList());
        using var generator = Generator(name).Create(models[^1], new Dictionary<string, string> { ["lr"] = "0.01" }, seed: 1);
        var after = periods.Skip(1).ToList();

        var first = generator.Train(models, after);
        var last = first;
        for (var i = 0; i < 30; i++)
        {
            // The same window again: the carried state moves on each time, the weights keep learning.
            last = generator.Train(models, after);
        }

        Assert.True(float.IsFinite(first) && float.IsFinite(last));
        Assert.True(last < first, $"{name} loss {first} -> {last}");
        models.ForEach(m => m.Dispose());
    }

    [Fact]
    public void The_untrained_gru_outputs_about_a_moving_average_of_the_window()
    {
        var periods = Periods(3);
        var models = PeriodModels(periods);
        using var generator = Generator("asmg-gru").Create(models[^1], new Dictionary<string, string>(), seed: 1);
        using var generated = (AsmgModel)generator.Generate(models);

        // From a zero hidden state with z = r = ½: ½ θ3 + ¼ θ2 + ⅛ θ1, up to tanh's curvature and the small random weights.
        var parameters = models.Select(m => ((AsmgModel)m).NamedParameters).ToList();
        for (var p = 0; p < generated.NamedParameters.Count; p++)
        {
            var actual = generated.NamedParameters[p].Parameter.data<float>().ToArray();
            var inputs = parameters.Select(list => list[p].Parameter.data<float>().ToArray()).ToList();
            var expected = actual.Select((_, i) => (0.5f * inputs[2][i]) + (0.25f * inputs[1][i]) + (0.125f * inputs[0][i])).ToArray();
            var error = Math.Sqrt(actual.Zip(expected).Sum(x => Math.Pow(x.First - x.Second, 2)));
            var size = Math.Sqrt(expected.Sum(x => x * (double)x));
            Assert.True(error < 0.1 * size, $"{generated.NamedParameters[p].Name}: |generated − average| = {error:F4}, |average| = {size:F4}");
        }
        models.ForEach(m => m.Dispose());
    }

    [Theory]
    [InlineData("asmg-gru")]
    [InlineData("asmg-linear")]
    public void Save_then_load_keeps_weights_and_carried_state(string name)
    {
        var periods = Periods(4);
        var models = PeriodModels(periods.Take(3).ToList());
        using var generator = Generator(name).Create(models[^1], new Dictionary<string, string> { ["lr"] = "0.01" }, seed: 1);
        generator.Train(models, periods.Skip(1).ToList());
        using var buffer = new MemoryStream();
        generator.Save(buffer);
        buffer.Position = 0;

        using var loaded = Generator(name).Load(buffer);
        using var a = generator.Generate(models);
        using var b = loaded.Generate(models);

        Assert.Equal(generator.Info.TotalParameters, loaded.Info.TotalParameters);
        Assert.Equal(generator.Info.StateValues, loaded.Info.StateValues);
        Assert.Equal(generator.Info.Settings, loaded.Info.Settings);
        int[] items = [0, 3, 9, 27];
        Assert.Equal(a.Score([1, 1], null, items), b.Score([1, 1], null, items));
        models.ForEach(m => m.Dispose());
    }

    [Fact]
    public void Wrong_inputs_are_refused_naming_the_problem()
    {
        var periods = Periods(3);
        var models = PeriodModels(periods);
        using var generator = Generator("asmg-gru").Create(models[^1], new Dictionary<string, string>(), seed: 1);

        Assert.Contains("3 period models", Assert.Throws<ArgumentException>(() => generator.Generate(models.Take(2).ToList())).Message, StringComparison.Ordinal);
        Assert.Contains("3 periods", Assert.Throws<ArgumentException>(() => generator.Train(models, periods.Take(2).ToList())).Message, StringComparison.Ordinal);
        using var other = new AsmgPlugin().Families.Single().Create(Catalogue, new Dictionary<string, string> { ["dim"] = "4" }, seed: 1);
        Assert.Contains("name or shape", Assert.Throws<ArgumentException>(() => generator.Generate([models[0], models[1], other])).Message, StringComparison.Ordinal);
        Assert.Contains("'loss'", Assert.Throws<ArgumentException>(() => Generator("asmg-gru").Create(models[0], new Dictionary<string, string> { ["loss"] = "both" }, seed: 1)).Message, StringComparison.Ordinal);
        models.ForEach(m => m.Dispose());
    }

}

public sealed class IncrementalTrainingTests
{
    public IncrementalTrainingTests() => TorchRuntime.EnsureInitialized();

    /// <summary>60 users who each like one of 4 item groups, 30 items, interactions spread over time.</summary>
    private static MetaRec.Core.Data.InteractionDataset Dataset()
    {
        var random = new Random(4);
        var interactions = new List<MetaRec.Core.Data.Interaction>();
        for (var user = 0; user < 60; user++)
        {
            var liked = Enumerable.Range(0, 30).Where(i => i % 4 == user % 4).OrderBy(_ => random.Next()).Take(6);
            interactions.AddRange(liked.Select(item => new MetaRec.Core.Data.Interaction(user, item, 5, random.Next(100_000))));
        }
        var features = new float[30 * 4];
        for (var i = 0; i < 30; i++)
        {
            features[(i * 4) + (i % 4)] = 1;
        }
        return new MetaRec.Core.Data.InteractionDataset(
            "groups", [.. Enumerable.Range(0, 60).Select(u => $"u{u}")], [.. Enumerable.Range(0, 30).Select(i => $"i{i}")],
            interactions, hasRatings: true, ["a", "b", "c", "d"], features, [], [], []);
    }

    [Fact]
    public void Every_method_is_tested_on_every_test_period_and_the_generators_report_their_cost()
    {
        var plugin = new AsmgPlugin();
        var split = MetaRec.Core.Protocols.IncrementalProtocol.Split(Dataset(), new MetaRec.Core.Protocols.IncrementalOptions(Periods: 8, PretrainPeriods: 3, TestPeriods: 2, PretrainEpochs: 5));
        var settings = new Dictionary<string, string> { ["window"] = "2" };
        var training = new MetaRec.Core.Training.IncrementalTraining(
            plugin.Families.Single(),
            new Dictionary<string, string> { ["lr"] = "0.01" },
            [
                new("linear", plugin.Generators.Single(g => g.Name == "asmg-linear"), settings),
                new("gru", plugin.Generators.Single(g => g.Name == "asmg-gru"), settings),
            ],
            batch: 32,
            batchUpdateWindow: 2);
        var lines = new List<string>();
        training.Status += lines.Add;

        var results = training.Run(split, seed: 1);

        Assert.Equal(["IU", "BU-2", "linear", "gru"], results.Select(r => r.Method));
        Assert.All(results, r => Assert.Equal([6, 7], r.TestPeriods.Select(p => p.Period)));
        Assert.All(results, r => Assert.InRange(r.MeanAuc, 0.5, 1)); // the groups are learnable
        Assert.All(results, r => Assert.True(double.IsFinite(r.MeanLogLoss)));
        Assert.Null(results[0].Cost);
        Assert.Equal(2 * 9, results[2].Cost!.Parameters); // two mixing weights for each of the 9 base tensors (user, item, category, 3 × weight and bias)
        Assert.True(results[3].Cost!.Parameters > 0 && results[3].Cost!.StateValues > 0 && results[3].Cost!.GenerateMilliseconds > 0);
        Assert.Equal(5, lines.Count(l => l.Contains(" period ", StringComparison.Ordinal)));
    }
}
