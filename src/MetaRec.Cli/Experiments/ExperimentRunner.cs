using System.Diagnostics;
using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using MetaRec.Cli.Commands;

namespace MetaRec.Cli.Experiments;

/// <summary>
/// Trains and tests every requested model on every seed: the split, the offline stage with
/// early stopping on validation users, the test users' metrics, and for "mpp+online" the
/// online stage run prequentially over the test users in arrival order.
/// </summary>
internal sealed class ExperimentRunner(PluginCatalog families, ExperimentOptions options)
{
    /// <summary>Progress: a line of text per event.</summary>
    public event Action<string>? Status;

    /// <summary>Progress within the current model: (done, total) steps.</summary>
    public event Action<string, int, int>? Steps;

    public IReadOnlyList<ModelRun> Run(InteractionDataset dataset, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var arrival = DatasetFingerprint.FirstSeen(dataset);
        var runs = new List<ModelRun>();
        foreach (var seed in options.Seeds)
        {
            var splitOptions = options.Split with { Seed = options.FixedSplitSeed ?? seed };
            var split = Protocol.Split(options.Protocol, dataset, splitOptions);
            Status?.Invoke($"seed {seed}: {split.Train.Count} train / {split.Validation.Count} validation / {split.Test.Count} test users of {split.QualifyingUsers} qualifying");
            foreach (var family in options.Models.Where(m => m != ExperimentOptions.MppOnline).Select(families.Get))
            {
                cancellation.ThrowIfCancellationRequested();
                runs.AddRange(RunFamily(family, split, seed, arrival, cancellation));
            }
        }
        return runs;
    }

    private IEnumerable<ModelRun> RunFamily(IModelFamily family, TaskSplit split, int seed, IReadOnlyDictionary<string, long> arrival, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var settings = CommonOptions.SettingsFor(family.Name, options.Settings);
        var created = family.Create(split.Catalogue, settings, seed);
        var trainer = options.Trainer with { Seed = seed };
        var progress = new Progress(this, family.Name);
        var fit = Trainer.Fit(family, created, split, trainer, progress, cancellation);
        cancellation.ThrowIfCancellationRequested();
        using var model = fit.Model;
        var predictions = split.Test.Select(task => ModelEvaluation.Predict(model, task)).ToList();
        var test = Evaluator.Evaluate(split.Test, predictions);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        Status?.Invoke($"seed {seed} {family.Name}: best epoch {fit.BestEpoch}, validation {options.Trainer.SelectionMetric} {fit.BestValidation:F4}, test AUC {test.Auc:F4} ({trainSeconds:F0} s)");
        yield return Row(family.Name, seed, test, model.Info, fit.BestEpoch, trainSeconds) with { ByActivity = ByActivity(split.Test, predictions) };

        if (family.Name == "mpp" && options.Models.Contains(ExperimentOptions.MppOnline))
        {
            var arrivals = split.Test.OrderBy(t => arrival[t.UserId]).ThenBy(t => t.UserId, StringComparer.Ordinal).ToList();
            var onlineRun = OnlineMetaTraining.Run(model, arrivals, stepsPerUser: 1, new SyncProgress<int>(done => Steps?.Invoke(ExperimentOptions.MppOnline, done, arrivals.Count)));
            var online = onlineRun.Metrics;
            Status?.Invoke($"seed {seed} {ExperimentOptions.MppOnline}: test AUC {online.Auc:F4}");
            yield return Row(ExperimentOptions.MppOnline, seed, online, model.Info, fit.BestEpoch, clock.Elapsed.TotalSeconds) with { ByActivity = ByActivity(arrivals, onlineRun.Predictions) };
        }
    }

    /// <summary>
    /// Metrics of the test users with at most the median support size ("few") and above it
    /// ("many"): where meta-learned personalization should matter most is the few.
    /// </summary>
    private static ActivitySplit ByActivity(IReadOnlyList<UserTask> users, IReadOnlyList<float[]> predictions)
    {
        var sizes = users.Select(u => u.Support.Count).Order().ToList();
        var median = sizes[(sizes.Count - 1) / 2];
        EvaluationResult Part(Func<int, bool> keep)
        {
            var indices = Enumerable.Range(0, users.Count).Where(i => keep(users[i].Support.Count)).ToList();
            return Evaluator.Evaluate([.. indices.Select(i => users[i])], [.. indices.Select(i => predictions[i])]);
        }
        var few = Part(n => n <= median);
        var many = Part(n => n > median);
        return new ActivitySplit(median, few.Users, few.Auc, few.Gauc, many.Users, many.Auc, many.Gauc);
    }

    private static ModelRun Row(string model, int seed, EvaluationResult result, ModelInfo info, int bestEpoch, double seconds) =>
        new(model, seed, result.Auc, result.Gauc, result.LogLoss, result.NdcgAt10, result.HrAt10, result.Mae,
            info.AdaptiveParameters, info.TotalParameters, bestEpoch, seconds);

    private sealed class Progress(ExperimentRunner runner, string model) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) =>
            runner.Steps?.Invoke(model, ((value.Epoch - 1) * value.Steps) + value.Step, value.Epochs * value.Steps);
    }
}
