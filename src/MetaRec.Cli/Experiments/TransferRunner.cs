using System.Diagnostics;
using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using MetaRec.Cli.Commands;

namespace MetaRec.Cli.Experiments;

/// <summary>What <c>metarec transfer</c> runs: source and target files, the target's training share, models, seeds and settings.</summary>
internal sealed record TransferOptions(
    IReadOnlyList<string> Sources,
    string Target,
    double TargetFraction,
    IReadOnlyList<string> Models,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<string> Settings);

/// <summary>One trained-and-tested transfer model on one seed.</summary>
internal sealed record TransferRun(string Model, int Seed, NextItemMetrics Test, double Seconds, long TotalParameters, int TrainingUsers, IReadOnlyList<StageCost> Stages);

/// <summary>One training stage of a run: its name, the steps it took and its wall time (validations included).</summary>
internal sealed record StageCost(string Stage, int Steps, double Seconds)
{
    public double MillisecondsPerStep => Steps == 0 ? 0 : Seconds * 1000 / Steps;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Stage} {Steps} steps in {Seconds:F0} s ({MillisecondsPerStep:F0} ms/step)");
}

/// <summary>
/// The transfer protocol: the target split leave-one-out (last item test, the one before it
/// validation), its training users cut to the requested fraction by each seed, the sources'
/// whole sequences as training data; every model trained on the same seed's data and tested
/// by full ranking over every target item.
/// </summary>
internal sealed class TransferRunner(PluginCatalog plugins, TransferOptions options)
{
    /// <summary>A line of text per event.</summary>
    public event Action<string>? Status;

    /// <summary>Progress of the model being trained: (model, seed, progress).</summary>
    public event Action<string, int, TransferProgress>? Progress;

    public IReadOnlyList<TransferRun> Run(IReadOnlyList<SequenceDataset> sources, SequenceDataset target, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(target);
        var families = options.Models.Select(plugins.GetTransfer).ToList();
        var split = LeaveOneOutSplit.Create(target);
        var sourceDomains = sources.Select(s => new SequenceDomain(s.Name, s.ItemCount, s.Sequences)).ToList();
        var runs = new List<TransferRun>();
        foreach (var seed in options.Seeds)
        {
            var seeded = options.TargetFraction < 1 ? split.WithTrainingFraction(options.TargetFraction, seed) : split;
            var task = new TransferTask(sourceDomains, new SequenceDomain(target.Name, target.ItemCount, seeded.Training), seeded.Validation);
            Status?.Invoke($"seed {seed}: {target.Name} trains on {seeded.TrainingUsers.Count:N0} of {split.TrainingUsers.Count:N0} users; {seeded.Test.Count:N0} test users");
            foreach (var family in families)
            {
                cancellation.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                var settings = CommonOptions.SettingsFor(family.Name, options.Settings);
                var stages = new StageClock(clock);
                var progress = new SyncProgress<TransferProgress>(p =>
                {
                    stages.Report(p);
                    Progress?.Invoke(family.Name, seed, p);
                });
                using var model = family.Train(task, settings, seed, progress, cancellation);
                var costs = stages.Finish();
                var test = NextItemRanking.Evaluate(model, seeded.Test, cancellation: cancellation);
                var seconds = clock.Elapsed.TotalSeconds;
                Status?.Invoke($"seed {seed} {family.Name}: test NDCG@10 {test.Ndcg10:F4}, HR@10 {test.Hr10:F4} ({seconds:F0} s: {string.Join(", ", costs)})");
                runs.Add(new TransferRun(family.Name, seed, test, seconds, model.Info.TotalParameters, seeded.TrainingUsers.Count, costs));
            }
        }
        return runs;
    }
}

/// <summary>
/// Times the stages of one training run from its progress reports: a stage (the report's first
/// word: target, joint, pre-train, meta, fine-tune) runs from the end of the one before it to
/// its last report.
/// </summary>
internal sealed class StageClock(Stopwatch clock)
{
    private readonly List<StageCost> _done = [];
    private string? _stage;
    private int _steps;
    private double _start;
    private double _last;

    public void Report(TransferProgress progress)
    {
        var stage = progress.Stage.Split(' ')[0];
        if (stage != _stage)
        {
            Close();
            _stage = stage;
            _start = _last;
        }
        _steps = progress.Done;
        _last = clock.Elapsed.TotalSeconds;
    }

    public IReadOnlyList<StageCost> Finish()
    {
        _last = clock.Elapsed.TotalSeconds; // the last stage's final validation and weight restore
        Close();
        return _done;
    }

    private void Close()
    {
        if (_stage is not null)
        {
            _done.Add(new StageCost(_stage, _steps, _last - _start));
            _stage = null;
        }
    }
}
