using MetaRec.Functions.Interactions;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Users;

namespace MetaRec.Functions.Serving;

/// <summary>
/// Deletes one user's data on behalf of this serving process: the scheduled refresh is cancelled,
/// storage is erased (<see cref="UserDataEraser"/>: the log's tombstone, the window, the states,
/// and this process's state cache with them), and the cached rankings are dropped. The audit line
/// names the user by a SHA-256 prefix only. Idempotent.
/// </summary>
public sealed partial class UserDeletion(UserDataEraser eraser, RefreshScheduler scheduler, RecommendationCache cache, ILogger<UserDeletion> log)
{
    /// <exception cref="ArgumentException"><paramref name="userId"/> is not a valid user id (parameter <c>userId</c>).</exception>
    public async Task<UserErasure> DeleteAsync(string userId, CancellationToken cancellation)
    {
        StorageNames.UserId(userId);
        scheduler.Forget(userId);
        UserErasure erased;
        using (await scheduler.LockAsync(userId, cancellation).ConfigureAwait(false))
        {
            // A refresh of this user on this instance has finished, or waits and then finds no window.
            erased = await eraser.EraseAsync(userId, cancellation).ConfigureAwait(false);
        }
        // Again after the storage deletes: a request or event that raced them may have cached or scheduled something.
        scheduler.Forget(userId);
        var rankings = cache.Forget(userId);
        LogDeleted(log, erased.ShortHash, erased.States, erased.Window ? "deleted" : "none", rankings, erased.TombstonedUtc);
        return erased;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "user data deleted: user hash {UserHash}, state={States} deleted, window={Window}, cached rankings={Rankings} dropped, events tombstoned at {Tombstoned:O}")]
    private static partial void LogDeleted(ILogger logger, string userHash, int states, string window, int rankings, DateTimeOffset tombstoned);
}
