using Microsoft.Extensions.Caching.Memory;

namespace MetaRec.Storage.Embeddings;

/// <summary>
/// A bounded in-memory cache in front of an embedding store, on <see cref="MemoryCache"/>: reads
/// hit memory after the first time, writes go through and refresh the cached entry. At most
/// <c>capacity</c> users' states are held (beyond it the least recently used tenth is compacted
/// away), and each is held for at most <c>maxAge</c> after it was read or written here, so a
/// state another instance wrote is seen here within <c>maxAge</c>.
/// </summary>
public sealed class CachedEmbeddingStore : IEmbeddingStore, IDisposable
{
    private readonly IEmbeddingStore _inner;
    private readonly MemoryCache _cache;
    private readonly MemoryCacheEntryOptions _entry;

    /// <param name="inner">The store of record.</param>
    /// <param name="capacity">Most states held in memory.</param>
    /// <param name="maxAge">Longest a state is served from memory without being read again.</param>
    /// <param name="time">The clock ages are measured on (a fake one in tests).</param>
    public CachedEmbeddingStore(IEmbeddingStore inner, int capacity, TimeSpan maxAge, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxAge, TimeSpan.Zero);
        _inner = inner;
        _cache = BoundedMemoryCache.Create(capacity, time ?? TimeProvider.System);
        _entry = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = maxAge };
    }

    /// <summary>States held in memory now (expired ones may count until they are next looked up or scanned).</summary>
    public int Count => _cache.Count;

    public async Task<bool> TryWriteAsync(UserEmbedding embedding, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var written = await _inner.TryWriteAsync(embedding, cancellation).ConfigureAwait(false);
        if (written)
        {
            Remember(embedding);
        }
        else
        {
            _cache.Remove(new Key(embedding.Family, embedding.UserId)); // a newer one is stored: read it next time
        }
        return written;
    }

    public async Task<UserEmbedding?> GetAsync(string family, string userId, CancellationToken cancellation = default)
    {
        if (_cache.TryGetValue(new Key(family, userId), out UserEmbedding? cached))
        {
            return cached;
        }
        var stored = await _inner.GetAsync(family, userId, cancellation).ConfigureAwait(false);
        if (stored is not null)
        {
            Remember(stored);
        }
        return stored;
    }

    public async Task<IReadOnlyDictionary<string, UserEmbedding>> GetManyAsync(string family, IReadOnlyCollection<string> userIds, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var found = new Dictionary<string, UserEmbedding>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var user in userIds.Distinct(StringComparer.Ordinal))
        {
            if (_cache.TryGetValue(new Key(family, user), out UserEmbedding? cached))
            {
                found[user] = cached!;
            }
            else
            {
                missing.Add(user);
            }
        }
        if (missing.Count > 0)
        {
            foreach (var (user, embedding) in await _inner.GetManyAsync(family, missing, cancellation).ConfigureAwait(false))
            {
                found[user] = embedding;
                Remember(embedding);
            }
        }
        return found;
    }

    /// <summary>Forgets the user's cached states (every family), then deletes the stored ones.</summary>
    public async Task<int> DeleteUserAsync(string userId, CancellationToken cancellation = default)
    {
        ForgetUser(userId);
        var deleted = await _inner.DeleteUserAsync(userId, cancellation).ConfigureAwait(false);
        ForgetUser(userId); // a read that raced the delete may have cached it again
        return deleted;
    }

    public void Dispose() => _cache.Dispose();

    private void ForgetUser(string userId)
    {
        foreach (var key in _cache.Keys.OfType<Key>().Where(k => string.Equals(k.User, userId, StringComparison.Ordinal)).ToList())
        {
            _cache.Remove(key);
        }
    }

    private void Remember(UserEmbedding embedding) => _cache.Set(new Key(embedding.Family, embedding.UserId), embedding, _entry);

    private readonly record struct Key(string Family, string User);
}
