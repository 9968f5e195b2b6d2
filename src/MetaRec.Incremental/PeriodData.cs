using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Protocols;

namespace MetaRec.Incremental;

/// <summary>
/// Where the periods come from: a dataset cut by <see cref="IncrementalProtocol"/>. The period
/// job and scheduled generation must use the same path and options, so they see the same
/// periods and negatives; the data fingerprint is recorded in every period manifest.
/// </summary>
public sealed record PeriodData(InteractionDataset Dataset, IncrementalSplit Split)
{
    public static PeriodData Read(string path, IncrementalOptions options)
    {
        var dataset = DatasetReader.Read(path);
        return new PeriodData(dataset, IncrementalProtocol.Split(dataset, options));
    }

    public string Fingerprint { get; } = DatasetFingerprint.Compute(Dataset);

    /// <summary>The tasks of period <paramref name="period"/> (from 1).</summary>
    public IReadOnlyList<UserTask> Period(int period)
    {
        if (period < 1 || period > Split.Periods.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"periods run from 1 to {Split.Periods.Count}");
        }
        return Split.Periods[period - 1];
    }
}
