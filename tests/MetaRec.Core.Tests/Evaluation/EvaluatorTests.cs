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
        var result = Evaluator.Evaluate(Tasks, [[0.75f, 0.25f], [0.5f, 0.125f]], [[4f, 2f], [3f, 2f]]);

        // Pooled scores 0.75 (pos), 0.25, 0.5, 0.125 (negs): the positive is above all three -> AUC 1.
        Assert.Equal(1.0, result.Auc, Precision);
        // GAUC: user a 1.0; user b has no positive and is skipped.
        Assert.Equal(1.0, result.Gauc, Precision);
        Assert.Equal(1, result.GaucUsers);
        // −(ln 0.75 + ln 0.75 + ln 0.5 + ln 0.875) / 4 = (0.2877 + 0.2877 + 0.6931 + 0.1335) / 4 = 0.3505106795.
        Assert.Equal(0.35051067952200743, result.LogLoss, Precision);
        // Only user a has a positive, ranked first: NDCG@10 = HR@10 = 1.
        Assert.Equal(1.0, result.NdcgAt10, Precision);
        Assert.Equal(1.0, result.HrAt10, Precision);
        // |4 − 5| + |2 − 2| + |3 − 3| + |2 − 1| = 2 over 4 examples = 0.5.
        Assert.Equal(0.5, result.Mae!.Value, Precision);
        Assert.Equal((2, 4, 10), (result.Users, result.Examples, result.K));
    }

    [Fact]
    public void Without_ratings_mae_is_null_and_k_is_used()
    {
        // k = 1 with user a's positive ranked second: NDCG 0, no hit.
        var result = Evaluator.Evaluate(Tasks, [[0.3f, 0.8f], [0.6f, 0.1f]], k: 1);

        Assert.Null(result.Mae);
        Assert.Equal(0.0, result.NdcgAt10, Precision);
        Assert.Equal(0.0, result.HrAt10, Precision);
        Assert.Equal(1, result.K);
    }

    [Fact]
    public void Mismatched_predictions_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(Tasks, [[0.8f, 0.3f]]));
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(Tasks, [[0.8f, 0.3f], [0.6f]]));
        Assert.Throws<ArgumentException>(() => Evaluator.Evaluate(Tasks, [[0.8f, 0.3f], [0.6f, 0.1f]], [[4f, 2f], [3f]]));
    }
}
