namespace MetaRec.Core.Checkpoints;

/// <summary>
/// What a snapshot's data was built from, when the pipeline combined a base dataset with the
/// interaction log: the base, the log watermark, and what happened to the logged events.
/// </summary>
/// <param name="BasePath">The base dataset's full path; null when the log alone formed the data.</param>
/// <param name="BaseFingerprint">The base dataset's <c>DatasetFingerprint</c>; null without a base.</param>
/// <param name="BaseInteractions">Interactions taken from the base: all of them but those of users whose data was deleted (<see cref="ErasedBaseInteractions"/>).</param>
/// <param name="Log">The log watermark the data reads up to.</param>
/// <param name="LogEvents">Distinct logged events up to the watermark (by event id).</param>
/// <param name="LogInteractions">Of those, how many are in the data.</param>
/// <param name="DuplicatesSkipped">Logged lines that repeat an earlier event id (re-deliveries): counted once.</param>
/// <param name="UnknownItemsSkipped">Events naming an item the base catalogue lacks, left out.</param>
/// <param name="InvalidSkipped">Events the data cannot hold, left out: a rating other than 0 or 1 for label-only data, an id with a control character.</param>
/// <param name="NewUsers">Users of the log that the base lacks, added.</param>
/// <param name="NewItems">Items of the log that the base lacks, added without features.</param>
public sealed record DataSources(
    string? BasePath,
    string? BaseFingerprint,
    int BaseInteractions,
    LogWatermark Log,
    long LogEvents,
    int LogInteractions,
    long DuplicatesSkipped,
    int UnknownItemsSkipped,
    int InvalidSkipped,
    int NewUsers,
    int NewItems)
{
    /// <summary>Logged events left out because their user's data was deleted after them (a tombstone in the log).</summary>
    public int ErasedEvents { get; init; }

    /// <summary>Base users left out, with their fields and interactions, because their data was deleted.</summary>
    public int ErasedBaseUsers { get; init; }

    /// <summary>The interactions of <see cref="ErasedBaseUsers"/>, left out of the base.</summary>
    public int ErasedBaseInteractions { get; init; }
}

/// <summary>
/// An interaction-log snapshot as the data records it: every day partition up to its length in
/// bytes at that moment, so the same watermark always reads the same events.
/// </summary>
/// <param name="Fingerprint">The log snapshot's hash of its parts' content.</param>
/// <param name="TakenUtc">When the log snapshot was taken (the run's start).</param>
/// <param name="Events">Distinct events in the parts.</param>
/// <param name="Duplicates">Lines repeating an earlier event id.</param>
/// <param name="Parts">Each partition's day and length.</param>
public sealed record LogWatermark(string Fingerprint, DateTimeOffset TakenUtc, long Events, long Duplicates, IReadOnlyList<LogWatermarkPart> Parts);

/// <summary>One day partition of the log: only its first <paramref name="Bytes"/> bytes are in.</summary>
public sealed record LogWatermarkPart(DateOnly Day, long Bytes);
