namespace MetaRec.Storage.Embeddings;

/// <summary>
/// A bounded in-memory cache in front of an embedding store: reads hit memory after the first
/// time, writes go through and refresh the cached entry, and the least recently used entries
/// are dropped beyond <paramref name="capacity"/>. Suits one serving instance; other instances'
/// writes are seen once an entry is evicted or rewritten here.
/// </summary>
public sealed class CachedEmbeddingStore(IEmbeddingStore inner, int capacity) : IEmbeddingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Family, string User), LinkedListNode<UserEmbedding>> _entries = [];
    private readonly LinkedList<UserEmbedding> _recency = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public async Task<bool> TryWriteAsync(UserEmbedding embedding, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var written = await inner.TryWriteAsync(embedding, cancellation).ConfigureAwait(false);
        if (written)
        {
            Remember(embedding);
        }
        else
        {
            Forget(embedding.Family, embedding.UserId); // a newer one is stored: read it next time
        }
        return written;
    }

    public async Task<UserEmbedding?> GetAsync(string family, string userId, CancellationToken cancellation = default)
    {
        if (TryRecall(family, userId, out var cached))
        {
            return cached;
        }
        var stored = await inner.GetAsync(family, userId, cancellation).ConfigureAwait(false);
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
            if (TryRecall(family, user, out var cached))
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
            foreach (var (user, embedding) in await inner.GetManyAsync(family, missing, cancellation).ConfigureAwait(false))
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
        var deleted = await inner.DeleteUserAsync(userId, cancellation).ConfigureAwait(false);
        ForgetUser(userId); // a read that raced the delete may have cached it again
        return deleted;
    }

    private void ForgetUser(string userId)
    {
        lock (_gate)
        {
            foreach (var key in _entries.Keys.Where(k => string.Equals(k.User, userId, StringComparison.Ordinal)).ToList())
            {
                Forget(key.Family, key.User);
            }
        }
    }

    private bool TryRecall(string family, string user, out UserEmbedding? embedding)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((family, user), out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                embedding = node.Value;
                return true;
            }
        }
        embedding = null;
        return false;
    }

    private void Remember(UserEmbedding embedding)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue((embedding.Family, embedding.UserId), out var old))
            {
                _recency.Remove(old);
            }
            _entries[(embedding.Family, embedding.UserId)] = _recency.AddFirst(embedding);
            while (_entries.Count > capacity && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _entries.Remove((last.Value.Family, last.Value.UserId));
            }
        }
    }

    private void Forget(string family, string user)
    {
        lock (_gate)
        {
            if (_entries.Remove((family, user), out var node))
            {
                _recency.Remove(node);
            }
        }
    }
}
