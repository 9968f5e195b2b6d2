using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Tests.Evaluation;

public sealed class EvaluatorTests
{
    private const int Precision = 9;

    // User a: labels 1, 0 (ratings 5, 2). User b: labels 0, 0 (ratings 3, 1). Probabilities are exact in float.
    private static readonly UserTask[] Tasks =
    [
        new("a", [], [new Example(7, 1, 4)], [new Example(1, 1, 5), new Example(2, 0, 2)]),
        new("b", [], [new Example(7, 0, 2)], [new Example(3, 0, 3), new Example(4, 0, 1)]),
    ];

    [Fact]
    public void Pools_auc_and_log_loss_and_averages_per_user_metrics()
    {
        var result = Evaluator.Evaluate(Tasks, [[0.75f, 0.25f], [0.5f, 0.125f]]);

        // Pooled scores 0.75 (pos), 0.25, 0.5, 0.125 (negs): the positive is above all three -> AUC 1.
        Assert.Equal(1.0, result.Auc, Precision);
        // GAUC: user a 1.0; user b has no positive and is skipped.
        Assert.Equal(1.0, result.Gauc, Precision);
        Assert.Equal(1, result.GaucUsers);
        // −(ln 0.75 + ln 0.75 + ln 0.5 + ln 0.875) / 4 = (0.2877 + 0.2877 + 0.6931 + 0.1335) / 4 = 0.3505106795.
        Assert.Equal(0.35051067952200743, result.LogLoss, Precision);
        // Both users rank their higher rating first: NDCG by rating gain is 1 for each.
        Assert.Equal(1.0, result.NdcgAt3, Precision);
        Assert.Equal(1.0, result.NdcgAt5, Precision);
        // No catalogue ranking and no predicted ratings were asked for.
        Assert.True(double.IsNaN(result.CatalogueHrAt10));
        Assert.Null(result.Mae);
        Assert.Null(result.Rmse);
        Assert.Equal((2, 4), (result.Users, result.Examples));
    }

    [Fact]
    public void Query_ndcg_uses_the_true_rating_as_gain()
    {
        // User b ranks rating 1 above rating 3: DCG = 1 + 3/log2 3 against ideal 3 + 1/log2 3.
        var outcome = Evaluator.Outcome(Tasks[1], [0.1f, 0.9f]);

        var expected = (1 + (3 / Math.Log2(3))) / (3 + (1 / Math.Log2(3)));
        Assert.Equal(expected, outcome.NdcgAt3, Precision);
        Assert.Equal(expected, outcome.NdcgAt5, Precision);
        Assert.True(double.IsNaN(outcome.Auc)); // one class only
    }

    [Fact]
    public void The_catalogue_ranking_masks_support_items_and_query_negatives()
    {
        // User a: support item 7, query positive 1, query negative 2. Item 2 and item 7 score highest but are masked,
        // so the positive ranks first among items 0, 1, 3..6, 8, 9.
        var catalogue = new float[10];
        catalogue[7] = 0.99f;
        catalogue[2] = 0.98f;
        catalogue[1] = 0.5f;

        var outcome = Evaluator.Outcome(Tasks[0], [0.5f, 0.98f], catalogue);
        Assert.Equal(1.0, outcome.CatalogueHitAt10);
        Assert.Equal(1.0, outcome.CatalogueNdcgAt10, Precision);

        // In a catalogue of 14, the eleven unmasked other items outscore the positive: it falls outside the top 10.
        var behind = Enumerable.Repeat(0.9f, 14).ToArray();
        behind[1] = 0.1f;
        Assert.Equal(0.0, Evaluator.Outcome(Tasks[0], [0.5f, 0.98f], behind).CatalogueHitAt10);
    }

    [Fact]
    public void Predicted_ratings_give_mae_and_rmse()
    {
        var outcomes = new[]
        {
            Evaluator.Outcome(Tasks[0], [0.75f, 0.25f], predictedRatings: [4f, 2f]),
            Evaluator.Outcome(Tasks[1], [0.5f, 0.125f], predictedRatings: [3f, 2f]),
        };

        var result = Evaluator.Summarize(outcomes);

        // Errors −1, 0, 0, 1: MAE 0.5, RMSE sqrt(2/4).
        Assert.Equal(0.5, result.Mae!.Value, Precision);
        Assert.Equal(Math.Sqrt(0.5), result.Rmse!.Value, Precision);
    }

    [Fact]
    public void Mismatched_predictions_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(Tasks, [[0.8f, 0.3f]]));
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(Tasks, [[0.8f, 0.3f], [0.6f]]));
        Assert.Throws<ArgumentException>(() => Evaluator.Outcome(Tasks[0], [0.8f, 0.3f], predictedRatings: [4f]));
    }
}
