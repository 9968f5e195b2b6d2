using System.Diagnostics;
using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Protocols;

namespace MetaRec.Core.Training;

/// <summary>The outcome of <see cref="Trainer.Fit"/>: the model of the best validation epoch.</summary>
public sealed record FitResult(IRecModel Model, int BestEpoch, double BestValidation, IReadOnlyList<EpochRecord> History, bool Cancelled)
{
    /// <summary>
    /// Training throughput: the median of the epochs' examples per second, leaving out the first
    /// epoch when there are more (it pays for warm-up: CUDA kernels, allocator); NaN without epochs.
    /// </summary>
    public double ExamplesPerSecond => Statistic.Median(History.Skip(History.Count > 1 ? 1 : 0).Select(e => e.ExamplesPerSecond));
}

/// <summary>
/// The offline stage for any family: epochs of shuffled batches of training tasks, validation
/// after each epoch (adapt on support, score the query), early stopping, and the best epoch's
/// weights kept (through the family's own save and load).
/// </summary>
public static class Trainer
{
    public static FitResult Fit(
        IModelFamily family,
        IRecModel model,
        TaskSplit split,
        TrainerOptions options,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (split.Train.Count == 0 || split.Validation.Count == 0)
        {
            throw new ArgumentException($"training needs train and validation users; the split has {split.Train.Count} and {split.Validation.Count}");
        }

        var random = new Random(options.Seed);
        var order = split.Train.ToArray();
        var steps = (order.Length + options.BatchSize - 1) / options.BatchSize;
        var history = new List<EpochRecord>();
        byte[]? best = null;
        var bestEpoch = 0;
        var bestScore = double.NegativeInfinity;
        var cancelled = false;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (cancellation.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }
            var clock = Stopwatch.StartNew();
            random.Shuffle(order);
            double lossSum = 0;
            long examples = 0;
            for (var step = 0; step < steps; step++)
            {
                var batch = order.AsSpan(step * options.BatchSize, Math.Min(options.BatchSize, order.Length - (step * options.BatchSize))).ToArray();
                var loss = model.Train(batch, TrainStage.Offline);
                lossSum += loss;
                examples += batch.Sum(task => (long)task.Support.Count + task.Query.Count);
                progress?.Report(new TrainingProgress(epoch, options.Epochs, step + 1, steps, loss, null));
            }
            // Train returns the loss as a number, so every step has finished on the device by here.
            var trainSeconds = clock.Elapsed.TotalSeconds;
            var validation = Score(ModelEvaluation.Evaluate(model, split.Validation), options.SelectionMetric);
            history.Add(new EpochRecord(epoch, lossSum / steps, validation, clock.Elapsed.TotalSeconds, trainSeconds, examples));
            progress?.Report(new TrainingProgress(epoch, options.Epochs, steps, steps, (float)(lossSum / steps), validation));
            if (validation > bestScore)
            {
                bestScore = validation;
                bestEpoch = epoch;
                using var buffer = new MemoryStream();
                model.Save(buffer);
                best = buffer.ToArray();
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                break;
            }
        }

        if (best is null)
        {
            return new FitResult(model, 0, double.NaN, history, cancelled);
        }
        model.Dispose();
        using var stream = new MemoryStream(best);
        return new FitResult(family.Load(stream), bestEpoch, options.SelectionMetric == "logloss" ? -bestScore : bestScore, history, cancelled);
    }

    /// <summary>Higher is better for every selection metric (log loss is negated).</summary>
    private static double Score(EvaluationResult result, string metric) => metric == "logloss" ? -result.LogLoss : result.Metric(metric);
}
