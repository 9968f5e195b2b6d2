namespace MetaRec.Core.Protocols;

/// <summary>
/// How <see cref="ColdStartProtocol"/> and <see cref="WarmProtocol"/> turn a dataset into user
/// tasks. Every default is the one written on its property.
/// </summary>
public sealed record ColdStartOptions
{
    /// <summary>Fewest interactions a user needs to qualify (inclusive). Default 13.</summary>
    public int MinInteractions { get; init; } = 13;

    /// <summary>Most interactions a qualifying user may have (inclusive). Default 100.</summary>
    public int MaxInteractions { get; init; } = 100;

    /// <summary>How many of a user's latest interactions form the query set. Default 10.</summary>
    public int QuerySize { get; init; } = 10;

    /// <summary>
    /// A rating at or above this is a positive (label 1). Default 4.0. Ignored for label-only
    /// datasets, whose stored 0/1 is the label.
    /// </summary>
    public float LabelThreshold { get; init; } = 4.0f;

    /// <summary>Share of qualifying users for training, rounded down. Default 0.7.</summary>
    public double TrainFraction { get; init; } = 0.7;

    /// <summary>Share of qualifying users for validation, rounded down; test gets the rest. Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of the <see cref="Random"/> that shuffles users. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Order users by their first interaction instead of shuffling: train on the earliest
    /// arrivals, validate on the next, test on the latest (a split with drift over time; the
    /// seed then does not change the split). Default false.
    /// </summary>
    public bool UsersByArrival { get; init; }

    /// <summary>
    /// K-fold over users instead of one train/validation/test cut: with <c>Folds = k ≥ 2</c> the
    /// shuffled qualifying users are cut into k near-equal contiguous folds, fold
    /// <see cref="Fold"/> is the test set, and validation (floor(n × ValidationFraction) users)
    /// and training (the rest) come from the other folds, so over folds 0..k−1 every qualifying
    /// user is tested exactly once. <see cref="TrainFraction"/> is then unused. Default 0: the
    /// single seeded cut.
    /// </summary>
    public int Folds { get; init; }

    /// <summary>The test fold, 0-based, when <see cref="Folds"/> is set. Default 0.</summary>
    public int Fold { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (QuerySize < 1)
        {
            throw new ArgumentException($"QuerySize is {QuerySize}; it must be at least 1.", nameof(QuerySize));
        }
        if (MinInteractions <= QuerySize)
        {
            throw new ArgumentException(
                $"MinInteractions is {MinInteractions}; it must exceed QuerySize ({QuerySize}) so every support set has an example.",
                nameof(MinInteractions));
        }
        if (MaxInteractions < MinInteractions)
        {
            throw new ArgumentException(
                $"MaxInteractions is {MaxInteractions}; it must be at least MinInteractions ({MinInteractions}).",
                nameof(MaxInteractions));
        }
        if (!float.IsFinite(LabelThreshold))
        {
            throw new ArgumentException($"LabelThreshold is {LabelThreshold}; it must be finite.", nameof(LabelThreshold));
        }
        if (!(TrainFraction > 0 && TrainFraction < 1))
        {
            throw new ArgumentException($"TrainFraction is {TrainFraction}; it must lie in (0, 1).", nameof(TrainFraction));
        }
        if (Folds is 1 or < 0)
        {
            throw new ArgumentException($"Folds is {Folds}; it must be 0 (one seeded cut) or at least 2.", nameof(Folds));
        }
        if (Folds >= 2 && (Fold < 0 || Fold >= Folds))
        {
            throw new ArgumentException($"Fold is {Fold}; it must lie in [0, {Folds - 1}] for {Folds} folds.", nameof(Fold));
        }
        if (Folds >= 2 && UsersByArrival)
        {
            throw new ArgumentException("Folds and UsersByArrival cannot both be set: folds shuffle users, arrival order does not.", nameof(Folds));
        }
        if (Folds >= 2 && !(ValidationFraction >= 0 && ValidationFraction < 1 - (1.0 / Folds)))
        {
            throw new ArgumentException(
                $"ValidationFraction is {ValidationFraction}; with {Folds} folds it must be at least 0 and below {1 - (1.0 / Folds):F2} so training users remain.",
                nameof(ValidationFraction));
        }
        if (Folds == 0 && !(ValidationFraction >= 0 && TrainFraction + ValidationFraction < 1))
        {
            throw new ArgumentException(
                $"ValidationFraction is {ValidationFraction}; it must be at least 0 and leave room for test (TrainFraction {TrainFraction} + ValidationFraction < 1).",
                nameof(ValidationFraction));
        }
    }
}
