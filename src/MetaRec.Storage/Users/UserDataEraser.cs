using MetaRec.Storage.Embeddings;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Windows;

namespace MetaRec.Storage.Users;

/// <summary>What deleting one user's data did, without the user's id or data.</summary>
/// <param name="UserHash">Lower-case hex SHA-256 of the user id (<see cref="UserTombstone.HashOf"/>).</param>
/// <param name="States">Stored states removed (one per model family that had one).</param>
/// <param name="Window">Whether a recent window was stored and removed.</param>
/// <param name="TombstonedUtc">The time of the tombstone in the interaction log.</param>
public sealed record UserErasure(string UserHash, int States, bool Window, DateTimeOffset TombstonedUtc)
{
    /// <summary>The first 12 hex digits of <see cref="UserHash"/>: how audit lines name the user.</summary>
    public string ShortHash => UserHash[..12];
}

/// <summary>
/// Deletes one user's data from storage: records a tombstone in the interaction log (so the
/// next training data leaves out the user's logged events and base rows up to now), then removes
/// the user's recent window and the user's state in every family. Idempotent: deleting again, or
/// deleting a user that has nothing stored, succeeds the same way (with a later tombstone).
/// Caches of a serving process are that process's to clear.
/// </summary>
public sealed class UserDataEraser(IEmbeddingStore states, IUserWindowStore windows, IInteractionLog log)
{
    /// <exception cref="ArgumentException"><paramref name="userId"/> is not a valid user id (parameter <c>userId</c>).</exception>
    public async Task<UserErasure> EraseAsync(string userId, CancellationToken cancellation = default)
    {
        var user = StorageNames.UserId(userId);
        // The tombstone first: once it is there, no training data holds the user's events, whatever fails next.
        var tombstone = await log.TombstoneAsync(user, cancellation).ConfigureAwait(false);
        var window = await windows.DeleteAsync(user, cancellation).ConfigureAwait(false);
        var deleted = await states.DeleteUserAsync(user, cancellation).ConfigureAwait(false);
        return new UserErasure(tombstone.UserHash, deleted, window, tombstone.DeletedUtc);
    }
}
