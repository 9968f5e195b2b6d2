using System.Globalization;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Interactions;

/// <summary>One interaction as the log stores it (one JSON line): ids are external ids.</summary>
/// <param name="EventId">Unique id of the event; re-deliveries carry the same id.</param>
/// <param name="UserId">External user id.</param>
/// <param name="ItemId">External item id.</param>
/// <param name="Rating">Rating or 0/1 label.</param>
/// <param name="Timestamp">Unix seconds (UTC); picks the day partition.</param>
/// <param name="Domain">Optional domain, for cross-domain models.</param>
public sealed record InteractionEvent(string EventId, string UserId, string ItemId, float Rating, long Timestamp, string? Domain = null)
{
    /// <summary>The last second a <see cref="DateTimeOffset"/> holds (9999-12-31T23:59:59Z): later ones have no day.</summary>
    public const long MaxTimestamp = 253_402_300_799;

    /// <summary>The UTC day the event belongs to.</summary>
    public DateOnly Day => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(Timestamp).UtcDateTime);

    /// <summary>Throws naming the first bad field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(EventId) || EventId.Length > 128)
        {
            throw new ArgumentException("eventId must be 1–128 characters", nameof(EventId));
        }
        StorageNames.UserId(UserId);
        if (string.IsNullOrWhiteSpace(ItemId) || ItemId.Length > 128)
        {
            throw new ArgumentException("itemId must be 1–128 characters", nameof(ItemId));
        }
        if (!float.IsFinite(Rating))
        {
            throw new ArgumentException($"rating must be finite, not {Rating.ToString(CultureInfo.InvariantCulture)}", nameof(Rating));
        }
        if (Timestamp is < 0 or > MaxTimestamp)
        {
            throw new ArgumentException($"timestamp must be unix seconds from 0 to {MaxTimestamp} (the end of year 9999), not {Timestamp}", nameof(Timestamp));
        }
    }
}

/// <summary>One day partition as a snapshot sees it: only its first <see cref="Bytes"/> bytes belong to the snapshot.</summary>
public sealed record SnapshotPart(DateOnly Day, long Bytes);

/// <summary>
/// Training data as an exact, stable list: the partitions and their lengths when the snapshot
/// was taken, how many distinct events they hold and a fingerprint of their content.
/// </summary>
public sealed record SnapshotManifest(DateTimeOffset TakenUtc, IReadOnlyList<SnapshotPart> Parts, long Events, long Duplicates, string Fingerprint);

/// <summary>
/// The append-only interaction log, partitioned by UTC day. Appends never rewrite; duplicates
/// (same event id) may be stored twice but never reach training data: snapshots and reads
/// keep the first occurrence.
/// </summary>
public interface IInteractionLog
{
    /// <summary>Validates and appends the events (each to its day); returns how many were appended.</summary>
    Task<int> AppendAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellation = default);

    /// <summary>Fixes the current content of every partition as a snapshot, with counts and fingerprint.</summary>
    Task<SnapshotManifest> SnapshotAsync(CancellationToken cancellation = default);

    /// <summary>The distinct events of a snapshot, in partition order then log order.</summary>
    IAsyncEnumerable<InteractionEvent> ReadAsync(SnapshotManifest snapshot, CancellationToken cancellation = default);

    /// <summary>
    /// Records that <paramref name="userId"/>'s data was deleted now (<see cref="UserTombstone"/>).
    /// The events stay in their append-only partitions; training data built afterwards leaves
    /// out those stamped up to the deletion. Deleting again records a later tombstone.
    /// </summary>
    Task<UserTombstone> TombstoneAsync(string userId, CancellationToken cancellation = default);

    /// <summary>Every tombstone recorded so far, the latest per user.</summary>
    Task<UserTombstones> ReadTombstonesAsync(CancellationToken cancellation = default);
}
