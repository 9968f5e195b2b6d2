using MetaRec.Abstractions;
using MetaRec.Core.Tensors;
using MetaRec.Core.Training;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Mpp.Tests;

/// <summary>The online stage is test-then-train: every user is scored before it trains anything.</summary>
public sealed class OnlineMetaTrainingTests
{
    private readonly Catalogue _catalogue = SyntheticTasks.Catalogue();

    public OnlineMetaTrainingTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Each_user_is_scored_with_the_model_as_it_was_before_that_user_arrived()
    {
        var family = new MppPlugin().Families.Single(f => f.Name == "mpp");
        var settings = new Dictionary<string, string> { ["online_lr"] = "0.05" };
        var arrivals = SyntheticTasks.Tasks(_catalogue, 6, seed: 21);
        using var online = family.Create(_catalogue, settings, seed: 4);
        using var frozen = family.Create(_catalogue, settings, seed: 4);

        var result = OnlineMetaTraining.Run(online, arrivals);

        // The first user meets the untouched model; later users meet one that has learned online
        // from the users before them (and never from themselves).
        Assert.Equal(ModelEvaluation.Predict(frozen, arrivals[0]), result.Predictions[0]);
        Assert.NotEqual(ModelEvaluation.Predict(frozen, arrivals[^1]), result.Predictions[^1]);
        Assert.Equal(arrivals.Sum(a => a.Query.Count), result.Metrics.Examples);
        // After the run the model has also learned from the last user.
        Assert.NotEqual(result.Predictions[^1], ModelEvaluation.Predict(online, arrivals[^1]));
    }

    [Fact]
    public void Families_without_an_online_stage_refuse_it()
    {
        var family = new MppPlugin().Families.Single(f => f.Name == "melu");
        using var model = family.Create(_catalogue, new Dictionary<string, string>(), seed: 4);
        Assert.Throws<NotSupportedException>(() => OnlineMetaTraining.Run(model, SyntheticTasks.Tasks(_catalogue, 2)));
    }
}
