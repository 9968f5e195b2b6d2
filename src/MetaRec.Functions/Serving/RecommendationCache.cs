using System.Diagnostics.CodeAnalysis;
using MetaRec.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Serving;

/// <summary>
/// Everything a personalized ranking depends on: the user's state (<paramref name="Watermark"/>
/// under <paramref name="ModelVersion"/>) and, when seen items are excluded, the window they come
/// from (<paramref name="WindowVersion"/>: its change count, <c>UserWindow.Applied</c>, 0 when seen
/// items are kept). The window is in the key because it changes before the state does: an event is
/// merged at once, the refresh may wait for the debounce or fail and be retried.
/// </summary>
public readonly record struct RecommendationKey(string UserId, string ModelVersion, long Watermark, bool ExcludeSeen, long WindowVersion);

/// <summary>
/// The best item rows of a ranking and their scores, best first (ties by row).
/// <see cref="Complete"/>: the ranking has no items beyond these, so any k is served from them.
/// </summary>
public sealed record RankingPrefix(int[] Rows, float[] Scores, bool Complete)
{
    public bool Covers(int k) => k <= Rows.Length || Complete;

    /// <summary>The first <paramref name="k"/> (or all, when fewer) as answer items of <paramref name="model"/>.</summary>
    public ScoredItem[] Take(ServedModel model, int k)
    {
        ArgumentNullException.ThrowIfNull(model);
        var items = new ScoredItem[Math.Min(k, Rows.Length)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = new ScoredItem(model.ItemIds[Rows[i]], Scores[i]);
        }
        return items;
    }
}

/// <summary>
/// Personalized top-K lists by <see cref="RecommendationKey"/>, so a repeated request (a page
/// reload) does not score the catalogue again. A new state, window or model version is a new key:
/// a stale list is never found, it only ages out. Each entry keeps the best
/// <see cref="Depth"/>(k) items, at least <see cref="MinDepth"/>, so a smaller k is served from a
/// larger one. On <see cref="MemoryCache"/>: at most <c>MetaRec:Scoring:ResultCacheCapacity</c>
/// entries (beyond it the least recently used tenth is compacted away), each kept for at most
/// <c>MetaRec:Scoring:CacheMaxAge</c> after it was last served; 0 turns it off. Thread-safe; two
/// requests that miss the same key both compute it and the deeper answer stays.
/// </summary>
public sealed class RecommendationCache : IDisposable
{
    /// <summary>The fewest items an entry keeps: the default k, for a request that asked for fewer.</summary>
    public const int MinDepth = 10;

    private readonly MemoryCache? _cache;
    private readonly MemoryCacheEntryOptions _entry;

    public RecommendationCache(IOptions<FunctionAppOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scoring = options.Value.Scoring;
        if (scoring.ResultCacheCapacity > 0)
        {
            _cache = BoundedMemoryCache.Create(scoring.ResultCacheCapacity, time);
        }
        _entry = new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = scoring.CacheMaxAge };
    }

    public bool Enabled => _cache is not null;

    /// <summary>Lists held now (expired ones may count until they are next looked up or scanned).</summary>
    public int Count => _cache?.Count ?? 0;

    /// <summary>How many items to rank for a request of <paramref name="k"/>: more than asked only when they are cached.</summary>
    public int Depth(int k) => Enabled ? Math.Max(k, MinDepth) : k;

    /// <summary>The cached ranking for <paramref name="key"/> if it holds at least <paramref name="k"/> items (or all there are).</summary>
    public bool TryGet(RecommendationKey key, int k, [NotNullWhen(true)] out RankingPrefix? ranking)
    {
        if (_cache is not null && _cache.TryGetValue(key, out RankingPrefix? found) && found!.Covers(k))
        {
            ranking = found;
            return true;
        }
        ranking = null;
        return false;
    }

    /// <summary>Drops every cached ranking of <paramref name="userId"/> (the user's data was deleted); returns how many.</summary>
    public int Forget(string userId)
    {
        if (_cache is null)
        {
            return 0;
        }
        var removed = 0;
        foreach (var key in _cache.Keys.OfType<RecommendationKey>().Where(k => string.Equals(k.UserId, userId, StringComparison.Ordinal)).ToList())
        {
            _cache.Remove(key);
            removed++;
        }
        return removed;
    }

    /// <summary>Keeps <paramref name="ranking"/> for <paramref name="key"/> unless a deeper one is there already.</summary>
    public void Add(RecommendationKey key, RankingPrefix ranking)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        if (_cache is null)
        {
            return;
        }
        if (_cache.TryGetValue(key, out RankingPrefix? old) && (old!.Complete || old.Rows.Length >= ranking.Rows.Length))
        {
            return;
        }
        _cache.Set(key, ranking, _entry);
    }

    public void Dispose() => _cache?.Dispose();
}
