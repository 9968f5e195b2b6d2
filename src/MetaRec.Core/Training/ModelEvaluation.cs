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
        return Evaluator.Summarize([.. tasks.Select(task => Outcome(model, task, rankCatalogue: false))]);
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
        ArgumentNullException.ThrowIfNull(task);
        var state = model.Adapt(task);
        var query = model.Score(task.UserFields, state, [.. task.Query.Select(e => e.Item)]);
        float[]? catalogue = null;
        if (rankCatalogue)
        {
            catalogue = model.Score(task.UserFields, state, AllItems(model.Catalogue.Schema.ItemCount));
        }
        return Evaluator.Outcome(task, query, catalogue);
    }

    /// <summary>Outcomes of every task, in task order.</summary>
    public static IReadOnlyList<UserOutcome> Outcomes(IRecModel model, IReadOnlyList<UserTask> tasks, bool rankCatalogue)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return [.. tasks.Select(task => Outcome(model, task, rankCatalogue))];
    }

    private static int[] AllItems(int count)
    {
        var items = new int[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = i;
        }
        return items;
    }
}
