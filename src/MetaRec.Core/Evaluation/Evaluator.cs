using MetaRec.Abstractions;

namespace MetaRec.Core.Evaluation;

/// <summary>Scores a model's query predictions against the tasks' labels.</summary>
public static class Evaluator
{
    /// <summary>
    /// Pooled AUC and log loss over all query examples, GAUC over users with both classes, mean
    /// NDCG@k and HR@k over users with at least one positive, and MAE against the raw ratings
    /// when <paramref name="predictedRatings"/> is given. Entry i of each list belongs to
    /// <c>tasks[i]</c> and has one value per query example.
    /// </summary>
    public static EvaluationResult Evaluate(
        IReadOnlyList<UserTask> tasks,
        IReadOnlyList<float[]> queryProbabilities,
        IReadOnlyList<float[]>? predictedRatings = null,
        int k = 10)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(queryProbabilities);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        CheckShape(tasks, queryProbabilities, nameof(queryProbabilities));
        if (predictedRatings is not null)
        {
            CheckShape(tasks, predictedRatings, nameof(predictedRatings));
        }

        var scores = new List<float>();
        var labels = new List<float>();
        var ratings = new List<float>();
        var perUser = new List<(float[] Scores, float[] Labels)>(tasks.Count);
        var ndcg = new List<double>();
        var hits = new List<double>();
        for (var t = 0; t < tasks.Count; t++)
        {
            var userLabels = tasks[t].Query.Select(e => e.Label).ToArray();
            var userScores = queryProbabilities[t];
            scores.AddRange(userScores);
            labels.AddRange(userLabels);
            ratings.AddRange(tasks[t].Query.Select(e => e.Rating));
            perUser.Add((userScores, userLabels));
            if (userLabels.Any(l => l > 0))
            {
                ndcg.Add(Metrics.NdcgAtK(userScores, userLabels, k));
                hits.Add(Metrics.HitRateAtK(userScores, userLabels, k));
            }
        }
        var gauc = Metrics.Gauc(perUser);
        double? mae = predictedRatings is null ? null : Metrics.Mae([.. predictedRatings.SelectMany(r => r)], ratings);
        return new EvaluationResult(
            Metrics.Auc(scores, labels),
            gauc.Value,
            gauc.Users,
            Metrics.LogLoss(scores, labels),
            ndcg.Count == 0 ? double.NaN : ndcg.Average(),
            hits.Count == 0 ? double.NaN : hits.Average(),
            mae,
            tasks.Count,
            scores.Count,
            k);
    }

    private static void CheckShape(IReadOnlyList<UserTask> tasks, IReadOnlyList<float[]> values, string parameter)
    {
        if (values.Count != tasks.Count)
        {
            throw new ArgumentException($"{values.Count} prediction arrays for {tasks.Count} tasks.", parameter);
        }
        for (var t = 0; t < tasks.Count; t++)
        {
            if (values[t] is null || values[t].Length != tasks[t].Query.Count)
            {
                throw new ArgumentException(
                    $"task {t} (user {tasks[t].UserId}) has {tasks[t].Query.Count} query examples but {values[t]?.Length ?? 0} predictions.",
                    parameter);
            }
        }
    }
}
