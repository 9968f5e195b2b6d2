using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Training;

/// <summary>
/// The online stage, run prequentially over users in arrival order: each arriving user is
/// first served (adapt on support, score the query) with the initialisation as it stands, and
/// only then does the model meta-learn from that user's support set, split in time into an
/// inner part (earlier half) and an outer part (later half). Query sets never train anything.
/// </summary>
public static class OnlineMetaTraining
{
    /// <param name="model">A model whose family supports <see cref="TrainStage.Online"/>.</param>
    /// <param name="arrivals">Users in arrival order.</param>
    /// <param name="stepsPerUser">Online meta-updates per arriving user.</param>
    /// <param name="progress">Users processed so far.</param>
    public static EvaluationResult Run(IRecModel model, IReadOnlyList<UserTask> arrivals, int stepsPerUser = 1, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(arrivals);
        ArgumentOutOfRangeException.ThrowIfNegative(stepsPerUser);
        var predictions = new List<float[]>(arrivals.Count);
        for (var i = 0; i < arrivals.Count; i++)
        {
            var user = arrivals[i];
            predictions.Add(ModelEvaluation.Predict(model, user));
            if (user.Support.Count >= 2)
            {
                var half = user.Support.Count / 2;
                var update = user with { Support = [.. user.Support.Take(half)], Query = [.. user.Support.Skip(half)] };
                for (var s = 0; s < stepsPerUser; s++)
                {
                    model.Train([update], TrainStage.Online);
                }
            }
            progress?.Report(i + 1);
        }
        return Evaluator.Evaluate(arrivals, predictions);
    }
}
