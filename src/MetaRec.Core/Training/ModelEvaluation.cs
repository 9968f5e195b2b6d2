using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Training;

/// <summary>Runs a model on user tasks the way serving would: adapt on support, score the query.</summary>
public static class ModelEvaluation
{
    /// <summary>Query metrics of <paramref name="model"/> on <paramref name="tasks"/> (no catalogue ranking): for selection and gates.</summary>
    public static EvaluationResult Evaluate(IRecModel model, IReadOnlyList<UserTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        return Evaluator.Summarize(Outcomes(model, tasks, rankCatalogue: false));
    }

    /// <summary>Query probabilities for one user after adapting on its support set.</summary>
    public static float[] Predict(IRecModel model, UserTask task)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(task);
        var state = model.Adapt(task);
        return model.Score(task.UserFields, state, [.. task.Query.Select(e => e.Item)]);
    }

    /// <summary>
    /// One user's outcome: adapt once on the support set, score the query and, with
    /// <paramref name="rankCatalogue"/>, every catalogue item for the full-catalogue metrics.
    /// </summary>
    public static UserOutcome Outcome(IRecModel model, UserTask task, bool rankCatalogue)
    {
        ArgumentNullException.ThrowIfNull(model);
        return OutcomeOn(model, task, rankCatalogue ? AllItems(model.Catalogue.Schema.ItemCount) : null);
    }

    /// <summary>Outcomes of every task, in task order; the catalogue's item list is built once for all of them.</summary>
    public static IReadOnlyList<UserOutcome> Outcomes(IRecModel model, IReadOnlyList<UserTask> tasks, bool rankCatalogue)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        var catalogue = rankCatalogue ? AllItems(model.Catalogue.Schema.ItemCount) : null;
        return [.. tasks.Select(task => OutcomeOn(model, task, catalogue))];
    }

    private static UserOutcome OutcomeOn(IRecModel model, UserTask task, int[]? catalogue)
    {
        ArgumentNullException.ThrowIfNull(task);
        var state = model.Adapt(task);
        var query = model.Score(task.UserFields, state, [.. task.Query.Select(e => e.Item)]);
        return Evaluator.Outcome(task, query, catalogue is null ? null : model.Score(task.UserFields, state, catalogue));
    }

    private static int[] AllItems(int count) => [.. Enumerable.Range(0, count)];
}
