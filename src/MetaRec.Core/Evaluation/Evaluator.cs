using MetaRec.Abstractions;

namespace MetaRec.Core.Evaluation;

/// <summary>Scores a model's query predictions against the tasks' labels.</summary>
public static class Evaluator
{
    /// <summary>
    /// The outcome of one user: per-user AUC and NDCG@3/@5 over the query (true rating as
    /// gain); <paramref name="catalogueScores"/>, when given (one score per catalogue item), adds
    /// the full-catalogue HR@10 and NDCG@10 of the query positives with the user's support items
    /// and query negatives masked.
    /// </summary>
    /// <exception cref="ArgumentException">The predictions do not match the query.</exception>
    public static UserOutcome Outcome(UserTask task, float[] queryProbabilities, float[]? catalogueScores = null, float[]? predictedRatings = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(queryProbabilities);
        CheckShape(task, queryProbabilities, nameof(queryProbabilities));
        if (predictedRatings is not null)
        {
            CheckShape(task, predictedRatings, nameof(predictedRatings));
        }
        var labels = task.Query.Select(e => e.Label).ToArray();
        var ratings = task.Query.Select(e => e.Rating).ToArray();
        var hit = double.NaN;
        var ndcg = double.NaN;
        if (catalogueScores is not null)
        {
            var positives = task.Query.Where(e => e.Label > 0).Select(e => e.Item).ToHashSet();
            var masked = task.Support.Select(e => e.Item).Concat(task.Query.Where(e => e.Label <= 0).Select(e => e.Item)).ToHashSet();
            masked.ExceptWith(positives); // an item both in support and a query positive is ranked as the positive
            (hit, ndcg) = Metrics.CatalogueRanking(catalogueScores, positives, masked, 10);
        }
        return new UserOutcome(
            task.UserId,
            task.Support.Count,
            queryProbabilities,
            labels,
            ratings,
            Metrics.Auc(queryProbabilities, labels),
            Metrics.NdcgAtK(queryProbabilities, ratings, 3),
            Metrics.NdcgAtK(queryProbabilities, ratings, 5),
            hit,
            ndcg,
            predictedRatings);
    }

    /// <summary>
    /// Query metrics of <paramref name="tasks"/> from their query probabilities (entry i belongs
    /// to <c>tasks[i]</c>), without the catalogue ranking: what model selection and gates read.
    /// </summary>
    public static EvaluationResult Evaluate(IReadOnlyList<UserTask> tasks, IReadOnlyList<float[]> queryProbabilities)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(queryProbabilities);
        if (queryProbabilities.Count != tasks.Count)
        {
            throw new ArgumentException($"{queryProbabilities.Count} prediction arrays for {tasks.Count} tasks.", nameof(queryProbabilities));
        }
        return Summarize([.. tasks.Select((task, t) => Outcome(task, queryProbabilities[t]))]);
    }

    /// <summary>
    /// Pooled AUC and log loss over all query examples; GAUC over users with both classes; mean
    /// NDCG@3/@5 over users (users without a positive rating gain are skipped); the catalogue
    /// metrics' means over users with a positive; MAE and RMSE when every outcome has predicted ratings.
    /// </summary>
    public static EvaluationResult Summarize(IReadOnlyList<UserOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var scores = outcomes.SelectMany(o => o.Scores).ToArray();
        var labels = outcomes.SelectMany(o => o.Labels).ToArray();
        var gauc = Metrics.Gauc(outcomes.Select(o => (o.Scores, o.Labels)));
        double? mae = null;
        double? rmse = null;
        if (outcomes.Count > 0 && outcomes.All(o => o.PredictedRatings is not null))
        {
            var predicted = outcomes.SelectMany(o => o.PredictedRatings!).ToArray();
            var actual = outcomes.SelectMany(o => o.Ratings).ToArray();
            mae = Metrics.Mae(predicted, actual);
            rmse = Metrics.Rmse(predicted, actual);
        }
        return new EvaluationResult(
            Metrics.Auc(scores, labels),
            gauc.Value,
            gauc.Users,
            Metrics.LogLoss(scores, labels),
            MeanOfDefined(outcomes.Select(o => o.NdcgAt3)),
            MeanOfDefined(outcomes.Select(o => o.NdcgAt5)),
            MeanOfDefined(outcomes.Select(o => o.CatalogueHitAt10)),
            MeanOfDefined(outcomes.Select(o => o.CatalogueNdcgAt10)),
            mae,
            rmse,
            outcomes.Count,
            scores.Length);
    }

    private static double MeanOfDefined(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }

    private static void CheckShape(UserTask task, float[] values, string parameter)
    {
        if (values.Length != task.Query.Count)
        {
            throw new ArgumentException(
                $"user {task.UserId} has {task.Query.Count} query examples but {values.Length} predictions.", parameter);
        }
    }
}
