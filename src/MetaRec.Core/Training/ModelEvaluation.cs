using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Training;

/// <summary>Runs a model on user tasks the way serving would: adapt on support, score the query.</summary>
public static class ModelEvaluation
{
    /// <summary>Metrics of <paramref name="model"/> on the query sets of <paramref name="tasks"/>.</summary>
    public static EvaluationResult Evaluate(IRecModel model, IReadOnlyList<UserTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        var predictions = tasks.Select(task => Predict(model, task)).ToList();
        return Evaluator.Evaluate(tasks, predictions);
    }

    /// <summary>Query probabilities for one user after adapting on its support set.</summary>
    public static float[] Predict(IRecModel model, UserTask task)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        var state = model.Adapt(task);
        return model.Score(task.UserFields, state, [.. task.Query.Select(e => e.Item)]);
    }
}
