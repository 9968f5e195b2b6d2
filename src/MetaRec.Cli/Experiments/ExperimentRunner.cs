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
            int?[] folds = options.Folds >= 2 ? [.. Enumerable.Range(0, options.Folds).Select(f => (int?)f)] : [null];
            foreach (var fold in folds)
            {
                var splitOptions = options.Split with { Seed = options.FixedSplitSeed ?? seed, Folds = options.Folds, Fold = fold ?? 0 };
                var split = Protocol.Split(options.Protocol, dataset, splitOptions);
                var where = fold is null ? $"seed {seed}" : $"seed {seed} fold {fold + 1}/{options.Folds}";
                Status?.Invoke($"{where}: {split.Train.Count} train / {split.Validation.Count} validation / {split.Test.Count} test users of {split.QualifyingUsers} qualifying");
                foreach (var family in options.Models.Where(m => m != ExperimentOptions.MppOnline).Select(families.Get))
                {
                    cancellation.ThrowIfCancellationRequested();
                    runs.AddRange(RunFamily(family, split, seed, fold, where, arrival, cancellation));
                }
            }
        }
        return runs;
    }

    private IEnumerable<ModelRun> RunFamily(IModelFamily family, TaskSplit split, int seed, int? fold, string where, IReadOnlyDictionary<string, long> arrival, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var settings = CommonOptions.SettingsFor(family.Name, options.Settings);
        var created = family.Create(split.Catalogue, settings, seed);
        var trainer = options.Trainer with { Seed = seed };
        var progress = new Progress(this, family.Name);
        var fit = Trainer.Fit(family, created, split, trainer, progress, cancellation);
        cancellation.ThrowIfCancellationRequested();
        using var model = fit.Model;
        var outcomes = ModelEvaluation.Outcomes(model, split.Test, rankCatalogue: true);
        var test = Evaluator.Summarize(outcomes);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        Status?.Invoke($"{where} {family.Name}: best epoch {fit.BestEpoch}, validation {options.Trainer.SelectionMetric} {fit.BestValidation:F4}, test AUC {test.Auc:F4}, GAUC {test.Gauc:F4} ({trainSeconds:F0} s)");
        yield return new ModelRun(family.Name, seed, fold, test, outcomes, model.Info.AdaptiveParameters, model.Info.TotalParameters, fit.BestEpoch, trainSeconds)
        {
            BestValidation = fit.BestValidation,
            ByActivity = ByActivity(outcomes),
            BySupportSize = [.. options.SupportSizes.Select(size => SupportSize(model, split.Test, size))],
        };

        if (family.Name == "mpp" && options.Models.Contains(ExperimentOptions.MppOnline))
        {
            var arrivals = split.Test.OrderBy(t => arrival[t.UserId]).ThenBy(t => t.UserId, StringComparer.Ordinal).ToList();
            var onlineRun = OnlineMetaTraining.Run(model, arrivals, stepsPerUser: 1, new SyncProgress<int>(done => Steps?.Invoke(ExperimentOptions.MppOnline, done, arrivals.Count)), rankCatalogue: true);
            var online = onlineRun.Metrics;
            Status?.Invoke($"{where} {ExperimentOptions.MppOnline}: test AUC {online.Auc:F4}, GAUC {online.Gauc:F4}");
            yield return new ModelRun(ExperimentOptions.MppOnline, seed, fold, online, onlineRun.Outcomes, model.Info.AdaptiveParameters, model.Info.TotalParameters, fit.BestEpoch, clock.Elapsed.TotalSeconds)
            {
                BestValidation = fit.BestValidation,
                ByActivity = ByActivity(onlineRun.Outcomes),
            };
        }
    }

    /// <summary>The test users' metrics with each support set cut to its latest <paramref name="size"/> interactions.</summary>
    private static SupportSizePoint SupportSize(IRecModel model, IReadOnlyList<UserTask> test, int size)
    {
        var cut = test.Select(t => t with { Support = [.. t.Support.TakeLast(size)] }).ToList();
        var result = Evaluator.Summarize(ModelEvaluation.Outcomes(model, cut, rankCatalogue: false));
        return new SupportSizePoint(size, result.Auc, result.Gauc, result.NdcgAt5);
    }

    /// <summary>
    /// Metrics of the test users with at most the median support size ("few") and above it
    /// ("many"): where meta-learned personalization should matter most is the few.
    /// </summary>
    private static ActivitySplit ByActivity(IReadOnlyList<UserOutcome> users)
    {
        var sizes = users.Select(u => u.SupportSize).Order().ToList();
        var median = sizes[(sizes.Count - 1) / 2];
        var few = Evaluator.Summarize([.. users.Where(u => u.SupportSize <= median)]);
        var many = Evaluator.Summarize([.. users.Where(u => u.SupportSize > median)]);
        return new ActivitySplit(median, few.Users, few.Auc, few.Gauc, many.Users, many.Auc, many.Gauc);
    }

    private sealed class Progress(ExperimentRunner runner, string model) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) =>
            runner.Steps?.Invoke(model, ((value.Epoch - 1) * value.Steps) + value.Step, value.Epochs * value.Steps);
    }
}
