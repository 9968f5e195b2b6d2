using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Tests.Evaluation;

public sealed class MetricsTests
{
    private const int Precision = 9;

    [Fact]
    public void Auc_averages_the_ranks_of_tied_scores()
    {
        // Ascending: 0.2 (neg) rank 1; 0.5 (pos), 0.5 (neg) share ranks 2 and 3 -> 2.5 each; 0.8 (pos) rank 4.
        // Positive rank sum 2.5 + 4 = 6.5; AUC = (6.5 − 2·3/2) / (2·2) = 3.5 / 4 = 0.875.
        // Pairwise: (0.5 vs 0.5) 0.5 + (0.5 vs 0.2) 1 + (0.8 vs 0.5) 1 + (0.8 vs 0.2) 1 = 3.5 of 4 pairs.
        Assert.Equal(0.875, Metrics.Auc([0.5f, 0.5f, 0.2f, 0.8f], [1, 0, 0, 1]), Precision);
    }

    [Fact]
    public void Auc_is_one_when_ranked_perfectly_zero_when_reversed_and_nan_for_one_class()
    {
        Assert.Equal(1.0, Metrics.Auc([0.1f, 0.9f, 0.3f], [0, 1, 0]), Precision);
        Assert.Equal(0.0, Metrics.Auc([0.9f, 0.1f], [0, 1]), Precision);
        // All scores tied: every pair counts one half.
        Assert.Equal(0.5, Metrics.Auc([0.4f, 0.4f, 0.4f], [1, 0, 0]), Precision);
        Assert.True(double.IsNaN(Metrics.Auc([0.1f, 0.9f], [1, 1])));
        Assert.True(double.IsNaN(Metrics.Auc([], [])));
    }

    [Fact]
    public void Metrics_reject_mismatched_lengths_and_nan_scores()
    {
        Assert.Throws<ArgumentException>(() => Metrics.Auc([0.1f], [1, 0]));
        Assert.Throws<ArgumentException>(() => Metrics.Auc([float.NaN, 0.2f], [1, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.NdcgAtK([0.1f], [1], 0));
    }

    [Fact]
    public void Gauc_averages_users_with_both_classes_and_counts_them()
    {
        var result = Metrics.Gauc(
        [
            ([0.5f, 0.5f, 0.2f, 0.8f], [1f, 0f, 0f, 1f]), // 0.875 (above)
            ([0.3f, 0.6f], [1f, 0f]),                     // the positive is below the negative: 0
            ([0.1f, 0.2f], [1f, 1f]),                     // one class: skipped
        ]);

        // (0.875 + 0) / 2 = 0.4375 over 2 users.
        Assert.Equal(0.4375, result.Value, Precision);
        Assert.Equal(2, result.Users);
        Assert.Equal(new GaucResult(double.NaN, 0), Metrics.Gauc([([0.1f], [1f])]));
    }

    [Fact]
    public void Log_loss_is_the_mean_cross_entropy_with_clipping()
    {
        // Probabilities exact in float: −(ln 0.75 + ln(1 − 0.25)) / 2 = −ln 0.75 = ln(4/3) = 0.2876820725.
        Assert.Equal(0.28768207245178085, Metrics.LogLoss([0.75f, 0.25f], [1, 0]), Precision);
        // p = 0 for a positive and p = 1 for a negative clip to 1e-7 away: −ln(1e-7) = 16.1180956510 each.
        Assert.Equal(16.11809565095832, Metrics.LogLoss([0f, 1f], [1, 0]), 6);
        // A confident right answer costs −ln(1 − 1e-7) ≈ 1e-7, not 0 or NaN.
        Assert.Equal(1e-7, Metrics.LogLoss([1f], [1]), 9);
    }

    [Fact]
    public void Mae_is_the_mean_absolute_error()
    {
        // (|3 − 4| + |4.5 − 4| + |1 − 1|) / 3 = (1 + 0.5 + 0) / 3 = 0.5.
        Assert.Equal(0.5, Metrics.Mae([3f, 4.5f, 1f], [4f, 4f, 1f]), Precision);
        Assert.True(double.IsNaN(Metrics.Mae([], [])));
    }

    [Fact]
    public void Ndcg_at_k_discounts_by_log2_of_rank_plus_one()
    {
        // Ranked as given: gains 0, 1, 0 in the top 3 -> DCG = 1 / log2(3) = 0.6309297536.
        // Ideal: gains 1, 1 -> IDCG = 1 / log2(2) + 1 / log2(3) = 1.6309297536.
        // NDCG@3 = 0.6309297536 / 1.6309297536 = 0.3868528072.
        Assert.Equal(0.38685280723454163, Metrics.NdcgAtK([0.9f, 0.8f, 0.7f, 0.6f], [0, 1, 0, 1], 3), Precision);
        // k = 1: the top item is a negative -> 0; a perfect ranking -> 1.
        Assert.Equal(0.0, Metrics.NdcgAtK([0.9f, 0.8f, 0.7f, 0.6f], [0, 1, 0, 1], 1), Precision);
        Assert.Equal(1.0, Metrics.NdcgAtK([0.9f, 0.8f, 0.7f], [1, 1, 0], 2), Precision);
    }

    [Fact]
    public void Ndcg_uses_graded_relevance_as_the_gain()
    {
        // Ranked by score: item 1 (gain 0), item 2 (gain 1), item 0 (gain 3).
        // DCG = 0 / 1 + 1 / log2(3) + 3 / log2(4) = 0.6309297536 + 1.5 = 2.1309297536.
        // IDCG = 3 / 1 + 1 / log2(3) = 3.6309297536; NDCG@3 = 2.1309297536 / 3.6309297536 = 0.5868826714.
        Assert.Equal(0.58688267143572, Metrics.NdcgAtK([0.1f, 0.9f, 0.5f], [3, 0, 1], 3), Precision);
    }

    [Fact]
    public void Ranking_ties_keep_item_order()
    {
        // Scores tie at 0.5: item 0 (negative) ranks before item 1 (positive).
        // k = 1: DCG 0 -> NDCG 0, no hit. k = 2: DCG = 1 / log2(3), IDCG = 1 -> 0.6309297536, a hit.
        float[] scores = [0.5f, 0.5f, 0.1f];
        float[] labels = [0, 1, 0];
        Assert.Equal(0.0, Metrics.NdcgAtK(scores, labels, 1), Precision);
        Assert.Equal(0.0, Metrics.HitRateAtK(scores, labels, 1), Precision);
        Assert.Equal(0.6309297535714575, Metrics.NdcgAtK(scores, labels, 2), Precision);
        Assert.Equal(1.0, Metrics.HitRateAtK(scores, labels, 2), Precision);
    }

    [Fact]
    public void Hit_rate_is_one_when_a_positive_is_in_the_top_k()
    {
        // Ranking: item 2 (0.9, neg), item 0 (0.7, pos), item 1 (0.2, neg).
        Assert.Equal(0.0, Metrics.HitRateAtK([0.7f, 0.2f, 0.9f], [1, 0, 0], 1));
        Assert.Equal(1.0, Metrics.HitRateAtK([0.7f, 0.2f, 0.9f], [1, 0, 0], 2));
        // k beyond the list is the whole list.
        Assert.Equal(1.0, Metrics.HitRateAtK([0.7f, 0.2f, 0.9f], [1, 0, 0], 10));
    }

    [Fact]
    public void Ranking_metrics_are_nan_without_a_positive()
    {
        Assert.True(double.IsNaN(Metrics.NdcgAtK([0.3f, 0.2f], [0, 0], 10)));
        Assert.True(double.IsNaN(Metrics.HitRateAtK([0.3f, 0.2f], [0, 0], 10)));
    }
}
