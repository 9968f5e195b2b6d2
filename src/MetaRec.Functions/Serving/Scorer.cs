using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Storage.Embeddings;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Windows;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Serving;

public sealed record ScoredItem(string ItemId, float Score);

/// <summary>What a score or recommendation answer carries besides the items.</summary>
/// <remarks>
/// <c>RecentInteractions</c>: the user's window size when seen items were excluded (null otherwise).
/// <c>Cached</c>: the items come from the <see cref="RecommendationCache"/>, not from scoring now.
/// </remarks>
public sealed record ScoringResult(string UserId, string Family, string ModelVersion, string UserState, long? Watermark, IReadOnlyList<ScoredItem> Items)
{
    public int? RecentInteractions { get; init; }

    public bool Cached { get; init; }
}

/// <summary>A request that cannot be served; <see cref="Status"/> is the HTTP status it maps to.</summary>
public sealed class ScoringException(int status, string title, string detail, IReadOnlyList<string>? unknownItems = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IReadOnlyList<string>? UnknownItems { get; } = unknownItems;
}

/// <summary>Scores candidates and ranks the catalogue for one user with the active model.</summary>
public sealed class Scorer(ActiveModelProvider models, UserStates states, IUserWindowStore windows, ModelGate gate, RecommendationCache cache, IOptions<FunctionAppOptions> options)
{
    private readonly ScoringOptions _limits = options.Value.Scoring;

    public async Task<ScoringResult> ScoreAsync(string? userId, IReadOnlyList<string>? itemIds, CancellationToken cancellation)
    {
        var user = CheckUser(userId);
        if (itemIds is null || itemIds.Count == 0)
        {
            throw new ScoringException(400, "Bad request", "itemIds must list at least one item");
        }
        if (itemIds.Count > _limits.MaxCandidates)
        {
            throw new ScoringException(400, "Bad request", $"itemIds has {itemIds.Count} items; at most {_limits.MaxCandidates} per request (MetaRec:Scoring:MaxCandidates)");
        }
        for (var i = 0; i < itemIds.Count; i++)
        {
            if (string.IsNullOrEmpty(itemIds[i]))
            {
                throw new ScoringException(400, "Bad request", string.Create(CultureInfo.InvariantCulture, $"itemIds[{i}] is {(itemIds[i] is null ? "null" : "empty")}; every entry must be an item id"));
            }
        }
        using var lease = Acquire();
        var model = lease.Model;
        var (rows, unknown) = model.Resolve(itemIds);
        if (unknown.Count > 0)
        {
            throw new ScoringException(404, "Unknown items", $"model {model.Version} does not know {unknown.Count} item(s): {string.Join(", ", unknown.Take(20))}", unknown);
        }
        var stored = await states.ForScoringAsync(model, user, cancellation).ConfigureAwait(false);
        var state = stored is null ? null : new UserState(stored.Values);
        var scores = await gate.RunAsync(() => model.Model.Score(model.ColdUserFields, state, rows), cancellation).ConfigureAwait(false);
        var items = new ScoredItem[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            items[i] = new ScoredItem(itemIds[i], scores[i]);
        }
        return Result(user, model, stored, items);
    }

    public async Task<ScoringResult> RecommendAsync(string? userId, int k, bool excludeSeen, CancellationToken cancellation)
    {
        var user = CheckUser(userId);
        if (k < 1 || k > _limits.MaxK)
        {
            throw new ScoringException(400, "Bad request", $"k must be 1–{_limits.MaxK} (MetaRec:Scoring:MaxK), not {k}");
        }
        using var lease = Acquire();
        var model = lease.Model;
        var stateTask = states.ForScoringAsync(model, user, cancellation);
        var window = excludeSeen ? await windows.GetAsync(user, cancellation).ConfigureAwait(false) : null;
        var stored = await stateTask.ConfigureAwait(false);
        if (stored is null)
        {
            return Result(user, model, null, Cold(model, k, Seen(model, window))) with { RecentInteractions = window?.Events.Count };
        }
        var key = new RecommendationKey(user, model.Version, stored.Watermark, excludeSeen, window?.Applied ?? 0);
        if (cache.TryGet(key, k, out var cached))
        {
            return Result(user, model, stored, cached.Take(model, k)) with { RecentInteractions = window?.Events.Count, Cached = true };
        }
        var seen = Seen(model, window);
        var ranking = await gate.RunAsync(() => Rank(model, new UserState(stored.Values), cache.Depth(k), seen), cancellation).ConfigureAwait(false);
        cache.Add(key, ranking);
        return Result(user, model, stored, ranking.Take(model, k)) with { RecentInteractions = window?.Events.Count };
    }

    private ModelLease Acquire() =>
        models.TryAcquire(out var lease)
            ? lease
            : throw new ScoringException(503, "Not ready", $"no active version of family '{models.Family}' is loaded yet");

    /// <summary>The cold path: the ranking was computed when the version loaded; skip what the user saw.</summary>
    private static ScoredItem[] Cold(ServedModel model, int k, HashSet<int>? seen) =>
        [.. model.ColdRanking.Where(row => seen?.Contains(row) != true).Take(k).Select(row => new ScoredItem(model.ItemIds[row], model.ColdScores[row]))];

    private static HashSet<int>? Seen(ServedModel model, UserWindow? window)
    {
        if (window is null || window.Events.Count == 0)
        {
            return null;
        }
        var seen = new HashSet<int>();
        foreach (var e in window.Events)
        {
            if (model.TryGetItem(e.ItemId, out var row))
            {
                seen.Add(row);
            }
        }
        return seen;
    }

    /// <summary>The user's best <paramref name="depth"/> rows: through the model's own catalogue ranker where it has one, else every item's score and a selection.</summary>
    private static RankingPrefix Rank(ServedModel model, UserState state, int depth, HashSet<int>? seen)
    {
        if (model.Model is ICatalogueRanker ranker)
        {
            var top = ranker.Rank(model.ColdUserFields, state, depth, seen);
            return new RankingPrefix(top.Rows, top.Scores, top.Rows.Length < depth);
        }
        return TopK(model.Model.Score(model.ColdUserFields, state, model.AllItems), depth, seen);
    }

    private static RankingPrefix TopK(float[] scores, int depth, HashSet<int>? seen)
    {
        // A min-heap of the best `depth`: O(n log depth) over the catalogue, ties broken by item row.
        var heap = new PriorityQueue<int, (float Score, int NegRow)>(depth + 1);
        for (var row = 0; row < scores.Length; row++)
        {
            if (seen?.Contains(row) == true || float.IsNaN(scores[row]))
            {
                continue;
            }
            heap.Enqueue(row, (scores[row], -row));
            if (heap.Count > depth)
            {
                heap.Dequeue();
            }
        }
        var complete = heap.Count < depth;
        var rows = new int[heap.Count];
        var best = new float[heap.Count];
        for (var i = rows.Length - 1; i >= 0; i--)
        {
            var row = heap.Dequeue();
            rows[i] = row;
            best[i] = scores[row];
        }
        return new RankingPrefix(rows, best, complete);
    }

    private static string CheckUser(string? userId)
    {
        try
        {
            return StorageNames.UserId(userId ?? string.Empty);
        }
        catch (ArgumentException e)
        {
            throw new ScoringException(400, "Bad request", e.Message);
        }
    }

    private static ScoringResult Result(string user, ServedModel model, UserEmbedding? used, IReadOnlyList<ScoredItem> items) =>
        new(user, model.Manifest.Family, model.Version, used is null ? "cold" : "personalized", used?.Watermark, items);
}
