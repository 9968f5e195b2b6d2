using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Training;

/// <summary>
/// The online stage, run prequentially (test, then train) over users in arrival order: each
/// arriving user is first served (adapt on support, score the query) with the initialisation as
/// it stands; only after its query interactions have been scored does the model meta-learn
/// from that user's task (support = inner loop, query = outer loss), with the fixed part
/// frozen. No user's query ever trains the model before that user's query is scored.
/// </summary>
public static class OnlineMetaTraining
{
    /// <param name="model">A model whose family supports <see cref="TrainStage.Online"/>.</param>
    /// <param name="arrivals">Users in arrival order.</param>
    /// <param name="stepsPerUser">Online meta-updates per arriving user.</param>
    /// <param name="progress">Users processed so far.</param>
    /// <param name="rankCatalogue">Also rank the whole catalogue for each user as it is served (<see cref="ModelEvaluation.Outcome"/>).</param>
    public static OnlineResult Run(IRecModel model, IReadOnlyList<UserTask> arrivals, int stepsPerUser = 1, IProgress<int>? progress = null, bool rankCatalogue = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(arrivals);
        ArgumentOutOfRangeException.ThrowIfNegative(stepsPerUser);
        var outcomes = new List<UserOutcome>(arrivals.Count);
        for (var i = 0; i < arrivals.Count; i++)
        {
            var user = arrivals[i];
            outcomes.Add(ModelEvaluation.Outcome(model, user, rankCatalogue));
            for (var s = 0; s < stepsPerUser; s++)
            {
                model.Train([user], TrainStage.Online);
            }
            progress?.Report(i + 1);
        }
        return new OnlineResult(Evaluator.Summarize(outcomes), outcomes);
    }
}

/// <summary>The online stage's prequential metrics and each user's outcome as served, in arrival order.</summary>
public sealed record OnlineResult(EvaluationResult Metrics, IReadOnlyList<UserOutcome> Outcomes)
{
    /// <summary>Each user's query predictions, in arrival order.</summary>
    public IReadOnlyList<float[]> Predictions => [.. Outcomes.Select(o => o.Scores)];
}
