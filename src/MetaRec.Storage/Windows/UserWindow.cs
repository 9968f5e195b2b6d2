using MetaRec.Storage.Interactions;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Windows;

/// <summary>One interaction kept in a user's recent window.</summary>
public sealed record WindowEvent(string EventId, string ItemId, float Rating, long Timestamp);

/// <summary>
/// A user's most recent interactions (at most a capacity, newest by timestamp then event id),
/// with <see cref="Applied"/>: how many times the window changed. <see cref="Applied"/> is the
/// watermark the user's refreshed state is written with, so a re-delivered event (no change)
/// never moves it. <see cref="ETag"/> is the store's concurrency token (null: not stored yet).
/// </summary>
public sealed record UserWindow(string UserId, IReadOnlyList<WindowEvent> Events, long Applied, string? ETag)
{
    public static UserWindow Empty(string userId) => new(StorageNames.UserId(userId), [], 0, null);

    /// <summary>
    /// The window with <paramref name="events"/> merged in: ids already present are ignored, the
    /// newest <paramref name="capacity"/> are kept. <c>Added</c> counts the new events that stayed
    /// in the window; when it is 0 the window is returned unchanged.
    /// </summary>
    public (UserWindow Window, int Added) Merge(IEnumerable<InteractionEvent> events, int capacity)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var known = Events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var fresh = new List<WindowEvent>();
        foreach (var e in events)
        {
            if (!string.Equals(e.UserId, UserId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"event {e.EventId} belongs to user '{e.UserId}', not '{UserId}'", nameof(events));
            }
            if (known.Add(e.EventId))
            {
                fresh.Add(new WindowEvent(e.EventId, e.ItemId, e.Rating, e.Timestamp));
            }
        }
        if (fresh.Count == 0)
        {
            return (this, 0);
        }
        var kept = Events.Concat(fresh)
            .OrderBy(e => e.Timestamp)
            .ThenBy(e => e.EventId, StringComparer.Ordinal)
            .TakeLast(capacity)
            .ToList();
        var freshIds = fresh.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var added = kept.Count(e => freshIds.Contains(e.EventId));
        return added == 0 ? (this, 0) : (this with { Events = kept, Applied = Applied + 1 }, added);
    }
}

/// <summary>Per-user recent windows with optimistic concurrency.</summary>
public interface IUserWindowStore
{
    /// <summary>The stored window, or an empty one with a null ETag.</summary>
    Task<UserWindow> GetAsync(string userId, CancellationToken cancellation = default);

    /// <summary>
    /// Stores <paramref name="window"/> if the stored one still has <c>window.ETag</c> (null: none
    /// stored). Returns the stored window with its new ETag, or null when another writer won.
    /// </summary>
    Task<UserWindow?> TryReplaceAsync(UserWindow window, CancellationToken cancellation = default);

    /// <summary>
    /// Removes the user's window, in the bucket layout and the flat one of earlier versions.
    /// Returns whether one was stored; deleting a window that is not there is not an error.
    /// </summary>
    Task<bool> DeleteAsync(string userId, CancellationToken cancellation = default);

    /// <summary>Every user with a stored window (the active users), in no particular order.</summary>
    IAsyncEnumerable<string> ListUsersAsync(CancellationToken cancellation = default);

    /// <summary>
    /// The users of shard <paramref name="shard"/> of <paramref name="shards"/>
    /// (<see cref="UserShards.ShardOf"/>), read from that shard's buckets only, so N shards
    /// together read every window once. Windows still in the flat layout of earlier versions
    /// are listed too, until <see cref="MigrateLegacyAsync"/> has moved them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shards"/> is below 1 or <paramref name="shard"/> outside <c>[0, shards)</c>.</exception>
    IAsyncEnumerable<string> ListUsersAsync(int shard, int shards, CancellationToken cancellation = default);

    /// <summary>
    /// Moves every window stored in the flat layout of earlier versions (<c>windows/{user}.json</c>)
    /// to its bucket (<c>windows/{bucket}/{user}.json</c>); returns how many moved. Idempotent. Until
    /// then such windows are read, listed and moved one by one on their next write.
    /// </summary>
    Task<int> MigrateLegacyAsync(CancellationToken cancellation = default);
}
