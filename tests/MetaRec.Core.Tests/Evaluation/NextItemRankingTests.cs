using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Tests.Evaluation;

public sealed class NextItemRankingTests
{
    private const int Precision = 12;

    [Fact]
    public void Rank_counts_better_candidates_and_skips_the_history_but_never_the_target()
    {
        float[] scores = [0.9f, 0.1f, 0.5f, 0.7f, 0.3f];

        Assert.Equal(2, NextItemRanking.Rank(scores, target: 2, history: []));      // 0.9 and 0.7 above
        Assert.Equal(1, NextItemRanking.Rank(scores, target: 2, history: [0]));     // 0.9 is history
        Assert.Equal(1, NextItemRanking.Rank(scores, target: 2, history: [0, 0, 2, 1])); // repeats once; the target stays
        Assert.Equal(0, NextItemRanking.Rank(scores, target: 0, history: [3]));
    }

    [Fact]
    public void Ties_count_against_the_target_so_constant_scores_rank_it_last()
    {
        var scores = new float[10];

        Assert.Equal(9, NextItemRanking.Rank(scores, target: 4, history: []));
        Assert.Equal(7, NextItemRanking.Rank(scores, target: 4, history: [1, 2]));
    }

    [Fact]
    public void Nan_scores_and_items_outside_the_row_are_refused()
    {
        Assert.Throws<ArgumentException>(() => NextItemRanking.Rank([0.1f, float.NaN], 0, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => NextItemRanking.Rank([0.1f, 0.2f], 2, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => NextItemRanking.Rank([0.1f, 0.2f], 0, [5]));
    }

    [Fact]
    public void Summary_matches_the_per_list_metrics_with_one_relevant_item()
    {
        // Ranks 0, 3, 7, 12 and 40: compare with Metrics over a list where the target holds that rank.
        int[] ranks = [0, 3, 7, 12, 40];

        var summary = NextItemRanking.Summarize(ranks);

        double Mean(Func<float[], float[], double> metric) => ranks.Average(r =>
        {
            var scores = Enumerable.Range(0, 50).Select(i => 100f - i).ToArray();
            var labels = new float[50];
            labels[r] = 1;
            return metric(scores, labels);
        });
        Assert.Equal(5, summary.Users);
        Assert.Equal(Mean((s, l) => Metrics.HitRateAtK(s, l, 5)), summary.Hr5, Precision);
        Assert.Equal(Mean((s, l) => Metrics.HitRateAtK(s, l, 10)), summary.Hr10, Precision);
        Assert.Equal(Mean((s, l) => Metrics.HitRateAtK(s, l, 20)), summary.Hr20, Precision);
        Assert.Equal(Mean((s, l) => Metrics.NdcgAtK(s, l, 5)), summary.Ndcg5, Precision);
        Assert.Equal(Mean((s, l) => Metrics.NdcgAtK(s, l, 10)), summary.Ndcg10, Precision);
        Assert.Equal(Mean((s, l) => Metrics.NdcgAtK(s, l, 20)), summary.Ndcg20, Precision);
        // By hand: HR@10 = 3/5; MRR = (1 + 1/4 + 1/8 + 1/13 + 1/41) / 5.
        Assert.Equal(0.6, summary.Hr10, Precision);
        Assert.Equal((1 + 0.25 + 0.125 + (1.0 / 13) + (1.0 / 41)) / 5, summary.Mrr, Precision);
        Assert.Equal(NextItemMetrics.Names.Length, summary.Values.Length);
        Assert.True(double.IsNaN(NextItemRanking.Summarize([]).Mrr));
    }
}
