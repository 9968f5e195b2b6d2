namespace MetaRec.Core.Training;

/// <summary>How <see cref="Trainer"/> runs the offline stage.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training users. Default 30.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>User tasks per step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Epochs without a better validation score before stopping. Default 5.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Seed of the per-epoch shuffle. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Validation metric that selects the epoch: auc, gauc or logloss. Default auc.</summary>
    public string SelectionMetric { get; init; } = "auc";

    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"{nameof(Epochs)} must be >= 1, not {Epochs}");
        }
        if (BatchSize < 1)
        {
            throw new ArgumentException($"{nameof(BatchSize)} must be >= 1, not {BatchSize}");
        }
        if (Patience < 1)
        {
            throw new ArgumentException($"{nameof(Patience)} must be >= 1, not {Patience}");
        }
        if (SelectionMetric is not ("auc" or "gauc" or "logloss"))
        {
            throw new ArgumentException($"{nameof(SelectionMetric)} must be auc, gauc or logloss, not '{SelectionMetric}'");
        }
    }
}

/// <summary>Where a training run is, for progress displays.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, float TrainLoss, double? Validation);

/// <summary>One epoch's figures.</summary>
/// <param name="Epoch">1-based.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps.</param>
/// <param name="Validation">The selection metric on the validation users (log loss negated).</param>
/// <param name="Seconds">The whole epoch: training steps and validation.</param>
/// <param name="TrainSeconds">The training steps alone.</param>
/// <param name="Examples">Examples (support and query interactions) the training steps went through.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double Validation, double Seconds, double TrainSeconds, long Examples)
{
    /// <summary>Training throughput: examples per second of training steps.</summary>
    public double ExamplesPerSecond => TrainSeconds > 0 ? Examples / TrainSeconds : double.NaN;
}
