using System.Diagnostics;
using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Protocols;

namespace MetaRec.Core.Training;

/// <summary>A generator under test: its label in reports, its family and its settings.</summary>
public sealed record GeneratorMethod(string Method, IGeneratorFamily Generator, IReadOnlyDictionary<string, string> Settings);

/// <summary>One method's metrics on one test period (index from 0).</summary>
public sealed record PeriodResult(int Period, double Auc, double LogLoss);

/// <summary>What a generator costs: its size, its carried state, its time per period.</summary>
public sealed record GeneratorCost(long Parameters, long StateValues, double TrainSecondsPerPeriod, double GenerateMilliseconds);

/// <summary>One method's results over the test periods of one seed.</summary>
public sealed record IncrementalResult(string Method, int Seed, IReadOnlyList<PeriodResult> TestPeriods, GeneratorCost? Cost)
{
    public double MeanAuc => TestPeriods.Average(p => p.Auc);

    public double MeanLogLoss => TestPeriods.Average(p => p.LogLoss);
}

/// <summary>
/// Runs the incremental protocol over time for every method at once. Pretrain: the first
/// periods, <see cref="IncrementalOptions.PretrainEpochs"/> epochs. Then for each period t:
/// every method's serving model is tested on t (reported from the first test period on) and
/// the methods move on: IU (incremental update) trains a copy of model t−1 for one epoch on
/// period t; BU-k trains its own chain for one epoch on periods t−k+1..t together; each
/// generator (once k IU models exist) serves Generate(IU models t−k..t−1) and, after the test,
/// trains on periods t−k+1..t (test-then-train). The IU chain is never changed by a generator.
/// </summary>
public sealed class IncrementalTraining(IModelFamily family, IReadOnlyDictionary<string, string> settings, IReadOnlyList<GeneratorMethod> generators, int batch = 512, int batchUpdateWindow = 3)
{
    public const string IncrementalUpdate = "IU";

    /// <summary>Progress: a line per period.</summary>
    public event Action<string>? Status;

    public IReadOnlyList<IncrementalResult> Run(IncrementalSplit split, int seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        var options = split.Options;
        var batchUpdate = $"BU-{batchUpdateWindow}";
        var results = new Dictionary<string, List<PeriodResult>> { [IncrementalUpdate] = [], [batchUpdate] = [] };
        var clock = Stopwatch.StartNew();
        var pretrained = Pretrain(family, settings, split, batch, seed, cancellation);
        Status?.Invoke($"seed {seed}: pretrained on periods 1-{options.PretrainPeriods} × {options.PretrainEpochs} epochs ({clock.Elapsed.TotalSeconds:F1} s)");

        var chain = new List<IRecModel> { pretrained }; // IU models, newest last; at most max(k) + 1 kept
        var bu = Copy(pretrained);
        var running = generators.Select(g => g.Generator.Create(pretrained, g.Settings, seed))
            .Select((generator, i) => (generators[i].Method, Generator: generator, generator.Info, Train: new List<double>(), Generate: new List<double>()))
            .ToList();
        foreach (var g in running)
        {
            results[g.Method] = [];
        }
        try
        {
            for (var t = options.PretrainPeriods; t < split.Periods.Count; t++)
            {
                cancellation.ThrowIfCancellationRequested();
                var period = split.Periods[t];
                var reported = t >= split.FirstTestPeriod;
                if (reported)
                {
                    results[IncrementalUpdate].Add(Test(chain[^1], period, t));
                    results[batchUpdate].Add(Test(bu, period, t));
                }
                var line = new List<string>();
                foreach (var g in running)
                {
                    var k = g.Info.Window;
                    if (chain.Count < k)
                    {
                        continue;
                    }
                    var window = chain.GetRange(chain.Count - k, k);
                    var started = Stopwatch.GetTimestamp();
                    using (var generated = g.Generator.Generate(window))
                    {
                        g.Generate.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (reported)
                        {
                            results[g.Method].Add(Test(generated, period, t));
                        }
                    }
                    started = Stopwatch.GetTimestamp();
                    var loss = GeneratorStep.Train(g.Generator, window, t, p => split.Periods[p]);
                    g.Train.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                    line.Add($"{g.Method} loss {loss:F4}");
                }

                var next = Copy(chain[^1]);
                TrainEpoch(next, [period], batch, seed + t, cancellation);
                chain.Add(next);
                var keep = running.Count == 0 ? 1 : running.Max(g => g.Info.Window);
                while (chain.Count > keep)
                {
                    chain[0].Dispose();
                    chain.RemoveAt(0);
                }
                var buPeriods = Enumerable.Range(Math.Max(0, t - batchUpdateWindow + 1), Math.Min(batchUpdateWindow, t + 1)).Select(p => split.Periods[p]).ToList();
                TrainEpoch(bu, buPeriods, batch, seed + t, cancellation);
                var scores = reported ? $"; AUC {string.Join(", ", results.Select(r => $"{r.Key} {r.Value[^1].Auc:F4}"))}" : string.Empty;
                Status?.Invoke($"seed {seed} period {t + 1}/{split.Periods.Count}{(line.Count > 0 ? ": " + string.Join(", ", line) : string.Empty)}{scores}");
            }
        }
        finally
        {
            chain.ForEach(m => m.Dispose());
            bu.Dispose();
            running.ForEach(g => g.Generator.Dispose());
        }

        var ordered = new List<IncrementalResult>
        {
            new(IncrementalUpdate, seed, results[IncrementalUpdate], null),
            new(batchUpdate, seed, results[batchUpdate], null),
        };
        ordered.AddRange(running.Select(g => new IncrementalResult(
            g.Method,
            seed,
            results[g.Method],
            new GeneratorCost(g.Info.TotalParameters, g.Info.StateValues, Statistic.Median(g.Train), Statistic.Median(g.Generate)))));
        return ordered;
    }

    /// <summary>AUC and log loss of <paramref name="model"/> on a period, the way serving scores.</summary>
    public static PeriodResult Test(IRecModel model, IReadOnlyList<UserTask> period, int index)
    {
        var result = ModelEvaluation.Evaluate(model, period);
        return new PeriodResult(index, result.Auc, result.LogLoss);
    }

    /// <summary>A new model of <paramref name="family"/> trained on the pretraining periods for the pretraining epochs.</summary>
    public static IRecModel Pretrain(IModelFamily family, IReadOnlyDictionary<string, string> settings, IncrementalSplit split, int batch, int seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(split);
        var model = family.Create(split.Catalogue, settings, seed);
        try
        {
            for (var epoch = 0; epoch < split.Options.PretrainEpochs; epoch++)
            {
                for (var p = 0; p < split.Options.PretrainPeriods; p++)
                {
                    TrainEpoch(model, [split.Periods[p]], batch, seed + (epoch * 1000) + p, cancellation);
                }
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>One epoch over <paramref name="periods"/> together, shuffled, in batches of <paramref name="batch"/> tasks; returns the mean loss.</summary>
    public static float TrainEpoch(IRecModel model, IReadOnlyList<IReadOnlyList<UserTask>> periods, int batch, int seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(periods);
        var random = new Random(seed);
        var tasks = periods.SelectMany(p => p).OrderBy(_ => random.Next()).ToList();
        double total = 0;
        var steps = 0;
        foreach (var chunk in tasks.Chunk(batch))
        {
            cancellation.ThrowIfCancellationRequested();
            total += model.Train(chunk, TrainStage.Offline);
            steps++;
        }
        return steps == 0 ? float.NaN : (float)(total / steps);
    }

    private IRecModel Copy(IRecModel model)
    {
        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        return family.Load(buffer);
    }
}
