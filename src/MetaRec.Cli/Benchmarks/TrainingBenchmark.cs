using System.Globalization;
using MetaRec.Abstractions;

namespace MetaRec.Cli.Benchmarks;

/// <summary>A meta-training configuration to time: family, inner steps and MAML order.</summary>
internal sealed record TrainingCase(string Family, int InnerSteps, bool FirstOrder)
{
    public string Order => FirstOrder ? "first" : "second";

    /// <summary>The cases the bench runs: MPP and MeLU second order, and MeLU first order for reference.</summary>
    public static IReadOnlyList<TrainingCase> All { get; } =
    [
        new("mpp", 1, false),
        new("mpp", 5, false),
        new("melu", 1, false),
        new("melu", 5, false),
        new("melu", 1, true),
        new("melu", 5, true),
    ];
}

/// <summary>Meta-training throughput of one case: one outer step on <see cref="TasksPerStep"/> tasks.</summary>
internal sealed record ThroughputResult(string Family, int InnerSteps, bool FirstOrder, int TasksPerStep, TimingSummary Step)
{
    public double TasksPerSecondMedian => TasksPerStep * 1e3 / Step.MedianMs;

    /// <summary>Throughput at the 95th-percentile step time (the slow tail).</summary>
    public double TasksPerSecondP95 => TasksPerStep * 1e3 / Step.P95Ms;
}

/// <summary>
/// Times <see cref="IRecModel.Train"/> (one offline outer step including Adam) at the MeLU shape.
/// Configurations are interleaved: each round runs one step of every case, so a burst of load
/// from another process lands on all of them alike instead of on whichever case was running.
/// </summary>
internal static class TrainingBenchmark
{
    private const int DistinctBatches = 8;

    public static IReadOnlyList<ThroughputResult> Run(
        Func<string, IModelFamily> families, IReadOnlyList<TrainingCase> cases, Catalogue catalogue, BenchSettings bench, TimeProvider time,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(time);
        var batches = MeluShape.Batches(MeluShape.Users(catalogue, DistinctBatches * MeluShape.TasksPerStep, seed: 21));
        var models = new List<IRecModel>(cases.Count);
        try
        {
            foreach (var training in cases)
            {
                var settings = MeluShape.Settings(
                    ("inner_steps", training.InnerSteps.ToString(CultureInfo.InvariantCulture)),
                    ("first_order", training.FirstOrder ? "true" : "false"));
                models.Add(families(training.Family).Create(catalogue, settings, seed: 1));
            }
            var samples = cases.Select(_ => new double[bench.Repeats]).ToArray();
            for (var round = 0; round < bench.Warmup + bench.Repeats; round++)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = batches[round % batches.Count];
                for (var c = 0; c < cases.Count; c++)
                {
                    var start = time.GetTimestamp();
                    var loss = models[c].Train(batch, TrainStage.Offline);
                    var elapsed = time.GetElapsedTime(start).TotalMilliseconds;
                    if (!float.IsFinite(loss))
                    {
                        throw new InvalidOperationException($"{cases[c].Family} training diverged (loss {loss}) during the benchmark");
                    }
                    if (round >= bench.Warmup)
                    {
                        samples[c][round - bench.Warmup] = elapsed;
                    }
                }
            }
            return [.. cases.Select((c, i) => new ThroughputResult(c.Family, c.InnerSteps, c.FirstOrder, MeluShape.TasksPerStep, TimingSummary.From(samples[i])))];
        }
        finally
        {
            foreach (var model in models)
            {
                model.Dispose();
            }
        }
    }
}
