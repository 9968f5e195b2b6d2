using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Tests.Evaluation;

public sealed class CatalogueRankingTests
{
    private const int Precision = 9;

    [Fact]
    public void Masked_items_are_skipped_and_positives_ranked_among_the_rest()
    {
        // Items 0..5. Item 1 (best score) is masked; candidates by score: 4 (0.8), 2 (0.7), 5 (0.6), 0 (0.5), 3 (0.1).
        float[] scores = [0.5f, 0.9f, 0.7f, 0.1f, 0.8f, 0.6f];

        // Positive 2 at rank 1 (0-based) inside the top 2: hit, NDCG = (1/log2 3) / (1/log2 2) = 0.6309297536.
        var (hit, ndcg) = Metrics.CatalogueRanking(scores, new HashSet<int> { 2 }, new HashSet<int> { 1 }, 2);
        Assert.Equal(1.0, hit);
        Assert.Equal(1 / Math.Log2(3), ndcg, Precision);

        // Positive 3 is last among candidates: outside the top 2.
        Assert.Equal((0.0, 0.0), Metrics.CatalogueRanking(scores, new HashSet<int> { 3 }, new HashSet<int> { 1 }, 2));
    }

    [Fact]
    public void Two_positives_are_normalised_by_the_ideal_of_two()
    {
        float[] scores = [0.5f, 0.9f, 0.7f, 0.1f, 0.8f, 0.6f];

        // Nothing masked; top 3: 1, 4, 2. Positives 1 (rank 0) and 2 (rank 2): DCG = 1 + 1/2 = 1.5;
        // ideal for two positives = 1 + 1/log2 3.
        var (hit, ndcg) = Metrics.CatalogueRanking(scores, new HashSet<int> { 1, 2 }, new HashSet<int>(), 3);
        Assert.Equal(1.0, hit);
        Assert.Equal(1.5 / (1 + (1 / Math.Log2(3))), ndcg, Precision);
    }

    [Fact]
    public void A_tie_goes_to_the_lower_item_index()
    {
        // All tied: the top 1 is item 0 whichever item is the positive.
        float[] scores = [0.5f, 0.5f, 0.5f];

        Assert.Equal((1.0, 1.0), Metrics.CatalogueRanking(scores, new HashSet<int> { 0 }, new HashSet<int>(), 1));
        Assert.Equal((0.0, 0.0), Metrics.CatalogueRanking(scores, new HashSet<int> { 2 }, new HashSet<int>(), 1));
    }

    [Fact]
    public void No_positive_is_nan_and_bad_items_are_rejected()
    {
        float[] scores = [0.5f, 0.9f];

        var (hit, ndcg) = Metrics.CatalogueRanking(scores, new HashSet<int>(), new HashSet<int>(), 10);
        Assert.True(double.IsNaN(hit) && double.IsNaN(ndcg));
        Assert.Throws<ArgumentException>(() => Metrics.CatalogueRanking(scores, new HashSet<int> { 2 }, new HashSet<int>(), 10));
        Assert.Throws<ArgumentException>(() => Metrics.CatalogueRanking(scores, new HashSet<int> { 1 }, new HashSet<int> { 1 }, 10));
        Assert.Throws<ArgumentException>(() => Metrics.CatalogueRanking([float.NaN, 0.1f], new HashSet<int> { 1 }, new HashSet<int>(), 10));
    }

    [Fact]
    public void Rmse_is_the_root_of_the_mean_squared_error()
    {
        // Errors 1, −1, 2: mean square 6/3 = 2.
        Assert.Equal(Math.Sqrt(2), Metrics.Rmse([4f, 2f, 5f], [3f, 3f, 3f]), Precision);
        Assert.True(double.IsNaN(Metrics.Rmse([], [])));
    }
}
