namespace MetaRec.Core.Evaluation;

/// <summary>
/// Ranking and prediction metrics. A label is positive when it is greater than 0; ranking metrics
/// use the label itself as the gain, so binary labels and graded relevance both work. Scores
/// must not be NaN.
/// </summary>
public static class Metrics
{
    /// <summary>Probabilities are clipped to [LogLossEpsilon, 1 − LogLossEpsilon] in <see cref="LogLoss"/>.</summary>
    public const double LogLossEpsilon = 1e-7;

    /// <summary>
    /// Area under the ROC curve by the Mann–Whitney statistic with average ranks for tied scores:
    /// (sum of positive ranks − P(P+1)/2) / (P·N). NaN when only one class is present.
    /// </summary>
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<float> labels)
    {
        CheckPair(scores, labels);
        // Sorting a key copy is several times faster than OrderBy; tie order does not matter here,
        // as a tied block shares one average rank.
        var keys = new float[scores.Count];
        var order = new int[scores.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = scores[i];
            order[i] = i;
        }
        Array.Sort(keys, order);
        double positiveRankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start;
            while (end + 1 < order.Length && keys[end + 1] == keys[start])
            {
                end++;
            }
            // Ranks are 1-based: the tied block start..end shares the mean of ranks start+1..end+1.
            var averageRank = ((start + 1) + (end + 1)) / 2.0;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]] > 0)
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }
            start = end + 1;
        }
        var negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>
    /// Group AUC: the unweighted mean of per-user <see cref="Auc"/> over the users that have both
    /// classes (others are skipped). NaN with 0 users when no user counts.
    /// </summary>
    public static GaucResult Gauc(IEnumerable<(float[] Scores, float[] Labels)> perUser)
    {
        ArgumentNullException.ThrowIfNull(perUser);
        double sum = 0;
        var users = 0;
        foreach (var (scores, labels) in perUser)
        {
            var auc = Auc(scores, labels);
            if (!double.IsNaN(auc))
            {
                sum += auc;
                users++;
            }
        }
        return new GaucResult(users == 0 ? double.NaN : sum / users, users);
    }

    /// <summary>
    /// Mean binary cross-entropy −[y·ln p + (1−y)·ln(1−p)] of probabilities against labels in
    /// [0, 1], p clipped to [1e-7, 1 − 1e-7]. NaN for no examples.
    /// </summary>
    public static double LogLoss(IReadOnlyList<float> probabilities, IReadOnlyList<float> labels)
    {
        CheckPair(probabilities, labels);
        if (probabilities.Count == 0)
        {
            return double.NaN;
        }
        double sum = 0;
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = Math.Clamp((double)probabilities[i], LogLossEpsilon, 1 - LogLossEpsilon);
            double y = labels[i];
            sum -= (y * Math.Log(p)) + ((1 - y) * Math.Log(1 - p));
        }
        return sum / probabilities.Count;
    }

    /// <summary>Mean absolute error. NaN for no examples.</summary>
    public static double Mae(IReadOnlyList<float> predicted, IReadOnlyList<float> actual) =>
        MeanError(predicted, actual, Math.Abs);

    /// <summary>
    /// NDCG@k of one user's list: DCG = Σ_{i&lt;k} gain_i / log2(i + 2) over the items ranked by
    /// descending score (ties keep item order), gain = label; divided by the DCG of the labels
    /// sorted descending. NaN when the user has no positive.
    /// </summary>
    public static double NdcgAtK(IReadOnlyList<float> scores, IReadOnlyList<float> labels, int k)
    {
        CheckPair(scores, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var ideal = labels.Where(l => l > 0).OrderDescending().ToArray();
        if (ideal.Length == 0)
        {
            return double.NaN;
        }
        var ranked = RankDescending(scores);
        double dcg = 0;
        double idealDcg = 0;
        for (var i = 0; i < Math.Min(k, ranked.Length); i++)
        {
            var discount = Math.Log2(i + 2);
            dcg += labels[ranked[i]] / discount;
            idealDcg += i < ideal.Length ? ideal[i] / discount : 0;
        }
        return dcg / idealDcg;
    }

    /// <summary>
    /// Hit rate at k for one user: 1 when a positive is among the k best-scored items (ties keep
    /// item order), else 0; NaN when the user has no positive.
    /// </summary>
    public static double HitRateAtK(IReadOnlyList<float> scores, IReadOnlyList<float> labels, int k)
    {
        CheckPair(scores, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (!labels.Any(l => l > 0))
        {
            return double.NaN;
        }
        return RankDescending(scores).Take(k).Any(i => labels[i] > 0) ? 1 : 0;
    }

    /// <summary>Root mean squared error. NaN for no examples.</summary>
    public static double Rmse(IReadOnlyList<float> predicted, IReadOnlyList<float> actual) =>
        Math.Sqrt(MeanError(predicted, actual, e => e * e));

    /// <summary>
    /// Full-catalogue ranking of one user's positives: every item of <paramref name="scores"/>
    /// (one score per catalogue item) that is not in <paramref name="masked"/> is a candidate; the
    /// candidates are ranked by descending score (ties by item index) and the top
    /// <paramref name="k"/> are read. Hit = 1 when a positive is among them; NDCG = Σ 1/log2(r + 2)
    /// over positives at 0-based rank r &lt; k, divided by the same sum for min(k, P) positives
    /// ranked first. Both NaN when there is no positive. A positive must not be masked.
    /// </summary>
    /// <exception cref="ArgumentException">A positive or masked item lies outside the catalogue, or a positive is masked.</exception>
    public static (double Hit, double Ndcg) CatalogueRanking(ReadOnlySpan<float> scores, IReadOnlySet<int> positives, IReadOnlySet<int> masked, int k)
    {
        ArgumentNullException.ThrowIfNull(positives);
        ArgumentNullException.ThrowIfNull(masked);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        foreach (var item in positives)
        {
            if ((uint)item >= (uint)scores.Length)
            {
                throw new ArgumentException($"positive item {item} is outside the catalogue of {scores.Length} items.", nameof(positives));
            }
            if (masked.Contains(item))
            {
                throw new ArgumentException($"positive item {item} is also masked.", nameof(masked));
            }
        }
        if (positives.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        // The k best candidates, kept sorted best first: (score desc, item asc).
        var best = new List<int>(k + 1);
        for (var item = 0; item < scores.Length; item++)
        {
            if (masked.Contains(item))
            {
                continue;
            }
            if (float.IsNaN(scores[item]))
            {
                throw new ArgumentException($"score {item} is NaN.", nameof(scores));
            }
            if (best.Count == k && !(scores[item] > scores[best[k - 1]]))
            {
                continue; // not better than the worst kept; a tie loses to the lower item index
            }
            var at = best.Count;
            while (at > 0 && scores[item] > scores[best[at - 1]])
            {
                at--;
            }
            best.Insert(at, item);
            if (best.Count > k)
            {
                best.RemoveAt(k);
            }
        }
        double dcg = 0;
        for (var rank = 0; rank < best.Count; rank++)
        {
            if (positives.Contains(best[rank]))
            {
                dcg += 1 / Math.Log2(rank + 2);
            }
        }
        double ideal = 0;
        for (var rank = 0; rank < Math.Min(k, positives.Count); rank++)
        {
            ideal += 1 / Math.Log2(rank + 2);
        }
        return (dcg > 0 ? 1 : 0, dcg / ideal);
    }

    /// <summary>Mean of <paramref name="loss"/>(predicted − actual); NaN for no examples.</summary>
    private static double MeanError(IReadOnlyList<float> predicted, IReadOnlyList<float> actual, Func<double, double> loss)
    {
        CheckPair(predicted, actual);
        if (predicted.Count == 0)
        {
            return double.NaN;
        }
        double sum = 0;
        for (var i = 0; i < predicted.Count; i++)
        {
            sum += loss((double)predicted[i] - actual[i]);
        }
        return sum / predicted.Count;
    }

    /// <summary>Indices by descending score; OrderByDescending is stable, so ties keep item order.</summary>
    private static int[] RankDescending(IReadOnlyList<float> scores) =>
        [.. Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i])];

    private static void CheckPair(IReadOnlyList<float> scores, IReadOnlyList<float> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        }
        for (var i = 0; i < scores.Count; i++)
        {
            if (float.IsNaN(scores[i]))
            {
                throw new ArgumentException($"score {i} is NaN.", nameof(scores));
            }
        }
    }
}
