using System.Diagnostics.CodeAnalysis;
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
/// larger one. At most <c>MetaRec:Scoring:ResultCacheCapacity</c> entries, least recently used
/// dropped first; 0 turns it off. Thread-safe; two requests that miss the same key both compute it
/// and the deeper answer stays.
/// </summary>
public sealed class RecommendationCache(IOptions<FunctionAppOptions> options)
{
    /// <summary>The fewest items an entry keeps: the default k, for a request that asked for fewer.</summary>
    public const int MinDepth = 10;

    private readonly int _capacity = options.Value.Scoring.ResultCacheCapacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<RecommendationKey, LinkedListNode<(RecommendationKey Key, RankingPrefix Ranking)>> _entries = [];
    private readonly LinkedList<(RecommendationKey Key, RankingPrefix Ranking)> _recency = new();

    public bool Enabled => _capacity > 0;

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

    /// <summary>How many items to rank for a request of <paramref name="k"/>: more than asked only when they are cached.</summary>
    public int Depth(int k) => Enabled ? Math.Max(k, MinDepth) : k;

    /// <summary>The cached ranking for <paramref name="key"/> if it holds at least <paramref name="k"/> items (or all there are).</summary>
    public bool TryGet(RecommendationKey key, int k, [NotNullWhen(true)] out RankingPrefix? ranking)
    {
        if (Enabled)
        {
            lock (_gate)
            {
                if (_entries.TryGetValue(key, out var node) && node.Value.Ranking.Covers(k))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    ranking = node.Value.Ranking;
                    return true;
                }
            }
        }
        ranking = null;
        return false;
    }

    /// <summary>Drops every cached ranking of <paramref name="userId"/> (the user's data was deleted); returns how many.</summary>
    public int Forget(string userId)
    {
        lock (_gate)
        {
            var removed = 0;
            for (var node = _recency.First; node is not null;)
            {
                var next = node.Next;
                if (string.Equals(node.Value.Key.UserId, userId, StringComparison.Ordinal))
                {
                    _recency.Remove(node);
                    _entries.Remove(node.Value.Key);
                    removed++;
                }
                node = next;
            }
            return removed;
        }
    }

    /// <summary>Keeps <paramref name="ranking"/> for <paramref name="key"/> unless a deeper one is there already.</summary>
    public void Add(RecommendationKey key, RankingPrefix ranking)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        if (!Enabled)
        {
            return;
        }
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var old))
            {
                if (old.Value.Ranking.Complete || old.Value.Ranking.Rows.Length >= ranking.Rows.Length)
                {
                    return;
                }
                _recency.Remove(old);
            }
            _entries[key] = _recency.AddFirst((key, ranking));
            while (_entries.Count > _capacity && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _entries.Remove(last.Value.Key);
            }
        }
    }
}
