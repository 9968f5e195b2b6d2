using MetaRec.Abstractions;
using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>
/// The leave-one-out split of sequential recommendation. For a user with n ≥ 3 items the last
/// item is the test target (history: every item before it), the one before it the validation
/// target (history: the first n − 2 items), and the first n − 2 items are training data. A user
/// with fewer than 3 items is train-only: the whole sequence trains and nothing is evaluated.
/// </summary>
public sealed class LeaveOneOutSplit
{
    /// <summary>Fewest items of a user who is evaluated.</summary>
    public const int MinEvaluatedLength = 3;

    private LeaveOneOutSplit(
        SequenceDataset dataset,
        IReadOnlyList<int> trainingUsers,
        IReadOnlyList<int[]> training,
        IReadOnlyList<int> evaluatedUsers,
        IReadOnlyList<NextItemCase> validation,
        IReadOnlyList<NextItemCase> test)
    {
        Dataset = dataset;
        TrainingUsers = trainingUsers;
        Training = training;
        EvaluatedUsers = evaluatedUsers;
        Validation = validation;
        Test = test;
    }

    public SequenceDataset Dataset { get; }

    /// <summary>The users whose training sequences are in <see cref="Training"/>, in the same order.</summary>
    public IReadOnlyList<int> TrainingUsers { get; }

    /// <summary>Training sequences: every item but the last two of an evaluated user, all of a train-only user.</summary>
    public IReadOnlyList<int[]> Training { get; }

    /// <summary>Users with at least <see cref="MinEvaluatedLength"/> items, in user order.</summary>
    public IReadOnlyList<int> EvaluatedUsers { get; }

    /// <summary>One case per evaluated user: the training prefix and the second-to-last item.</summary>
    public IReadOnlyList<NextItemCase> Validation { get; }

    /// <summary>One case per evaluated user: everything before the last item, and the last item.</summary>
    public IReadOnlyList<NextItemCase> Test { get; }

    /// <summary>The split of <paramref name="dataset"/>, every user training.</summary>
    public static LeaveOneOutSplit Create(SequenceDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var users = Enumerable.Range(0, dataset.UserCount).ToArray();
        var training = users.Select(u => Prefix(dataset.Sequences[u])).ToArray();
        var evaluated = users.Where(u => dataset.Sequences[u].Length >= MinEvaluatedLength).ToArray();
        NextItemCase[] validation = [.. evaluated.Select(u => new NextItemCase(dataset.Sequences[u][..^2], dataset.Sequences[u][^2]))];
        NextItemCase[] test = [.. evaluated.Select(u => new NextItemCase(dataset.Sequences[u][..^1], dataset.Sequences[u][^1]))];
        return new LeaveOneOutSplit(dataset, users, training, evaluated, validation, test);
    }

    /// <summary>
    /// The same split with the training data of only ⌈<paramref name="fraction"/> · users⌉ training
    /// users, drawn by <paramref name="seed"/>; validation and test are unchanged (their histories
    /// still come from the full data). The kept users stay in user order.
    /// </summary>
    public LeaveOneOutSplit WithTrainingFraction(double fraction, int seed)
    {
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the training fraction must be in (0, 1]");
        }
        var count = (int)Math.Ceiling(fraction * TrainingUsers.Count);
        var order = TrainingUsers.ToArray();
        new Random(seed).Shuffle(order);
        var kept = new HashSet<int>(order.Take(count));
        var positions = Enumerable.Range(0, TrainingUsers.Count).Where(i => kept.Contains(TrainingUsers[i])).ToArray();
        return new LeaveOneOutSplit(Dataset, [.. positions.Select(i => TrainingUsers[i])], [.. positions.Select(i => Training[i])], EvaluatedUsers, Validation, Test);
    }

    private static int[] Prefix(int[] sequence) => sequence.Length >= MinEvaluatedLength ? sequence[..^2] : sequence;
}
