using MetaRec.Abstractions;

namespace MetaRec.Core.Evaluation;

/// <summary>
/// Next-item metrics averaged over users, from full ranking over every catalogue item: hit
/// rate and NDCG at 5, 10 and 20, and the mean reciprocal rank, over <c>Users</c> cases.
/// </summary>
public sealed record NextItemMetrics(int Users, double Hr5, double Hr10, double Hr20, double Ndcg5, double Ndcg10, double Ndcg20, double Mrr)
{
    /// <summary>Metric names as result files and tables spell them.</summary>
    public static readonly string[] Names = ["hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "mrr"];

    /// <summary>The values in <see cref="Names"/> order.</summary>
    public double[] Values => [Hr5, Hr10, Hr20, Ndcg5, Ndcg10, Ndcg20, Mrr];
}

/// <summary>
/// Full-ranking evaluation of next-item prediction. Every catalogue item is a candidate except
/// the items of the user's history (masked: a user is not recommended what they already have);
/// the held-out item is always a candidate, even where it also occurs earlier in the history.
/// Its 0-based rank r counts the candidates scored at least as high as it (ties count against
/// it, so a model that scores everything alike ranks last). Per user HR@K = [r &lt; K],
/// NDCG@K = [r &lt; K] / log2(r + 2) (one relevant item, so the ideal DCG is 1) and
/// MRR = 1 / (r + 1) over the whole list.
/// </summary>
public static class NextItemRanking
{
    /// <summary>The 0-based rank of <paramref name="target"/> among the candidates of one score row.</summary>
    public static int Rank(ReadOnlySpan<float> scores, int target, ReadOnlySpan<int> history)
    {
        if ((uint)target >= (uint)scores.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(target), $"target {target} is outside the {scores.Length} scored items");
        }
        var threshold = scores[target];
        if (float.IsNaN(threshold))
        {
            throw new ArgumentException($"the target's score (item {target}) is NaN", nameof(scores));
        }
        var above = 0;
        for (var j = 0; j < scores.Length; j++)
        {
            if (float.IsNaN(scores[j]))
            {
                throw new ArgumentException($"score of item {j} is NaN", nameof(scores));
            }
            if (scores[j] >= threshold)
            {
                above++;
            }
        }
        above--; // the target itself
        var masked = new HashSet<int>();
        foreach (var item in history)
        {
            if ((uint)item >= (uint)scores.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(history), $"history item {item} is outside the {scores.Length} scored items");
            }
            if (item != target && masked.Add(item) && scores[item] >= threshold)
            {
                above--;
            }
        }
        return above;
    }

    /// <summary>The mean metrics of 0-based ranks; NaN everywhere for none.</summary>
    public static NextItemMetrics Summarize(IReadOnlyList<int> ranks)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        if (ranks.Count == 0)
        {
            return new NextItemMetrics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        double Hr(int k) => ranks.Average(r => r < k ? 1.0 : 0.0);
        double Ndcg(int k) => ranks.Average(r => r < k ? 1.0 / Math.Log2(r + 2) : 0.0);
        return new NextItemMetrics(ranks.Count, Hr(5), Hr(10), Hr(20), Ndcg(5), Ndcg(10), Ndcg(20), ranks.Average(r => 1.0 / (r + 1)));
    }

    /// <summary>Ranks every case's target with <paramref name="model"/>, <paramref name="batchSize"/> histories per call.</summary>
    public static int[] Ranks(ISequentialModel model, IReadOnlyList<NextItemCase> cases, int batchSize = 256, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var items = model.Catalogue.Schema.ItemCount;
        var ranks = new int[cases.Count];
        for (var start = 0; start < cases.Count; start += batchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            var count = Math.Min(batchSize, cases.Count - start);
            var histories = new int[count][];
            for (var i = 0; i < count; i++)
            {
                histories[i] = cases[start + i].History;
            }
            var scores = model.ScoreNext(histories);
            if (scores.Length != (long)count * items)
            {
                throw new InvalidOperationException($"the model returned {scores.Length} scores for {count} histories × {items} items");
            }
            for (var i = 0; i < count; i++)
            {
                var row = scores.AsSpan(i * items, items);
                ranks[start + i] = Rank(row, cases[start + i].Target, cases[start + i].History);
            }
        }
        return ranks;
    }

    /// <summary><see cref="Summarize"/> of <see cref="Ranks"/>.</summary>
    public static NextItemMetrics Evaluate(ISequentialModel model, IReadOnlyList<NextItemCase> cases, int batchSize = 256, CancellationToken cancellation = default) =>
        Summarize(Ranks(model, cases, batchSize, cancellation));
}
