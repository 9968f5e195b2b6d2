namespace MetaRec.Abstractions;

/// <summary>
/// One domain's training sequences: each user's item indices in <c>[0, ItemCount)</c>, in time order.
/// Domains share neither users nor items.
/// </summary>
public sealed record SequenceDomain(string Name, int ItemCount, IReadOnlyList<int[]> Sequences);

/// <summary>
/// A cross-domain transfer problem: source domains with plenty of data, one target domain, and
/// target validation cases to select on (never the test cases).
/// </summary>
public sealed record TransferTask(IReadOnlyList<SequenceDomain> Sources, SequenceDomain Target, IReadOnlyList<NextItemCase> Validation);

/// <summary>Where a transfer training run is: a stage, steps done of the stage's total, and the last validation figure.</summary>
public sealed record TransferProgress(string Stage, int Done, int Total, double? Validation);

/// <summary>
/// A way to train a target-domain sequential model from a <see cref="TransferTask"/>
/// (target only, joint, pre-train + fine-tune, meta-transfer, ...). The model it returns is of a
/// family the same plugin provides, so it saves, loads and serves like any other.
/// </summary>
public interface ITransferFamily
{
    /// <summary>Lower-case name used in the CLI and in result files.</summary>
    string Name { get; }

    /// <summary>One line for listings.</summary>
    string Description { get; }

    /// <summary>
    /// Trains on <paramref name="task"/> and returns the target model. <paramref name="settings"/>
    /// overrides the documented defaults; an unknown key or a bad value throws
    /// <see cref="ArgumentException"/> naming it before any training.
    /// </summary>
    ISequentialModel Train(TransferTask task, IReadOnlyDictionary<string, string> settings, int seed, IProgress<TransferProgress>? progress, CancellationToken cancellation);
}
