namespace MetaRec.Storage.Embeddings;

/// <summary>
/// A user's stored state for one model family: a meta embedding or adaptive parameters, the
/// model version it was computed with, and the watermark (the last event applied).
/// </summary>
public sealed record UserEmbedding(string UserId, string Family, string ModelVersion, float[] Values, long Watermark, DateTimeOffset UpdatedUtc);

/// <summary>
/// Per-user state, keyed by (family, user). Writes are conditional on the watermark, so a
/// late or re-delivered older state never replaces a newer one.
/// </summary>
public interface IEmbeddingStore
{
    /// <summary>
    /// Writes <paramref name="embedding"/> unless the stored one has the same or a newer
    /// watermark. Returns whether it was written.
    /// </summary>
    Task<bool> TryWriteAsync(UserEmbedding embedding, CancellationToken cancellation = default);

    /// <summary>The stored state, or null.</summary>
    Task<UserEmbedding?> GetAsync(string family, string userId, CancellationToken cancellation = default);

    /// <summary>The stored states of those users that have one.</summary>
    Task<IReadOnlyDictionary<string, UserEmbedding>> GetManyAsync(string family, IReadOnlyCollection<string> userIds, CancellationToken cancellation = default);

    /// <summary>
    /// Removes the user's state in every family; returns how many were stored (0 for a user
    /// with none, which is not an error).
    /// </summary>
    Task<int> DeleteUserAsync(string userId, CancellationToken cancellation = default);
}

/// <summary>
/// A user's stored state kept changing under every write attempt (other writers won each race):
/// the write did not happen and may be retried. Not the registry's conflict: no model version is involved.
/// </summary>
public sealed class StateConflictException(string message) : Exception(message);
