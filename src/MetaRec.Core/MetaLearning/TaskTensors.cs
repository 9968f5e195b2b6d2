using MetaRec.Abstractions;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>
/// A batch of user tasks as padded tensors: one row per task, one column per example.
/// Created in the caller's dispose scope.
/// </summary>
/// <param name="Items">(tasks, length) int64 item indices; padding uses item 0.</param>
/// <param name="Labels">(tasks, length) float32 labels; 0 in padding.</param>
/// <param name="Mask">(tasks, length) float32, 1 for a real example, 0 for padding.</param>
/// <param name="UserFields">(tasks, fields) int64 categorical user fields.</param>
/// <param name="History">(tasks, history) int64 items of each user's support set (the user's
/// known history, whichever examples are being scored); padding uses item 0.</param>
/// <param name="HistoryMask">(tasks, history) float32, 1 for a real history item.</param>
public sealed record TaskTensors(Tensor Items, Tensor Labels, Tensor Mask, Tensor UserFields, Tensor History, Tensor HistoryMask)
{
    public long Tasks => Items.shape[0];

    public long Length => Items.shape[1];

    /// <summary>The support sets of <paramref name="tasks"/>.</summary>
    public static TaskTensors Support(IReadOnlyList<UserTask> tasks) => Build(tasks, t => t.Support);

    /// <summary>The query sets of <paramref name="tasks"/>.</summary>
    public static TaskTensors Query(IReadOnlyList<UserTask> tasks) => Build(tasks, t => t.Query);

    /// <summary>Support followed by query: every labelled example of each task.</summary>
    public static TaskTensors All(IReadOnlyList<UserTask> tasks) => Build(tasks, t => [.. t.Support, .. t.Query]);

    /// <summary>Unlabelled items to score for one user (whose history, if any, is <paramref name="history"/>).</summary>
    public static TaskTensors ForScoring(int[] userFields, int[] items, IReadOnlyList<Example>? history = null)
    {
        var task = new UserTask(string.Empty, userFields, history ?? [], [.. items.Select(i => new Example(i, 0, 0))]);
        return Build([task], t => t.Query);
    }

    /// <summary>Builds padded tensors from the examples <paramref name="select"/> picks per task.</summary>
    public static TaskTensors Build(IReadOnlyList<UserTask> tasks, Func<UserTask, IReadOnlyList<Example>> select)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new ArgumentException("a batch needs at least one task", nameof(tasks));
        }
        var fieldCount = tasks[0].UserFields.Length;
        var length = Math.Max(1, tasks.Max(t => select(t).Count));
        var (history, historyMask) = Padded(tasks, t => t.Support);
        var items = new long[tasks.Count * length];
        var labels = new float[tasks.Count * length];
        var mask = new float[tasks.Count * length];
        var fields = new long[tasks.Count * fieldCount];
        for (var t = 0; t < tasks.Count; t++)
        {
            var task = tasks[t];
            if (task.UserFields.Length != fieldCount)
            {
                throw new ArgumentException($"task '{task.UserId}' has {task.UserFields.Length} user fields, the batch {fieldCount}", nameof(tasks));
            }
            for (var f = 0; f < fieldCount; f++)
            {
                fields[(t * fieldCount) + f] = task.UserFields[f];
            }
            var examples = select(task);
            for (var s = 0; s < examples.Count; s++)
            {
                items[(t * length) + s] = examples[s].Item;
                labels[(t * length) + s] = examples[s].Label;
                mask[(t * length) + s] = 1f;
            }
        }
        return new TaskTensors(
            tensor(items, [tasks.Count, length]),
            tensor(labels, [tasks.Count, length]),
            tensor(mask, [tasks.Count, length]),
            tensor(fields, [tasks.Count, fieldCount]),
            history,
            historyMask);
    }

    private static (Tensor Items, Tensor Mask) Padded(IReadOnlyList<UserTask> tasks, Func<UserTask, IReadOnlyList<Example>> select)
    {
        var length = Math.Max(1, tasks.Max(t => select(t).Count));
        var items = new long[tasks.Count * length];
        var mask = new float[tasks.Count * length];
        for (var t = 0; t < tasks.Count; t++)
        {
            var examples = select(tasks[t]);
            for (var s = 0; s < examples.Count; s++)
            {
                items[(t * length) + s] = examples[s].Item;
                mask[(t * length) + s] = 1f;
            }
        }
        return (tensor(items, [tasks.Count, length]), tensor(mask, [tasks.Count, length]));
    }
}
