using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>
/// The warm-start protocol: the same qualifying users, the same support/query cut and the same
/// seeded train/validation/test selection as <see cref="ColdStartProtocol"/>, but validation and
/// test users are seen in training through their support sets. <c>Train</c> holds every
/// qualifying user in shuffled order: a training user with its support and query; a validation or
/// test user with its support as both the task's support and its query (its real query is never
/// trained on). <c>Validation</c> and <c>Test</c> hold those users' query sets, each with the
/// user's support as support. <c>PooledTraining</c> is every interaction of the training users
/// plus the support interactions of the validation and test users.
/// </summary>
public static class WarmProtocol
{
    public const string Name = "warm";

    /// <exception cref="InvalidOperationException">
    /// Fewer than <see cref="ColdStartProtocol.MinimumQualifyingUsers"/> users qualify.
    /// </exception>
    public static TaskSplit Split(InteractionDataset dataset, ColdStartOptions options)
    {
        var users = new UserHistories(dataset, options, Name);
        var heldOut = users.ValidationUsers.Concat(users.TestUsers).ToArray();
        var train = users.TrainUsers.Select(u => users.ToTask(u.User, u.Support, u.Query))
            .Concat(heldOut.Select(u => users.ToTask(u.User, u.Support, u.Support)))
            .ToArray();
        var validation = users.ValidationUsers.Select(u => users.ToTask(u.User, u.Support, u.Query)).ToArray();
        var test = users.TestUsers.Select(u => users.ToTask(u.User, u.Support, u.Query)).ToArray();
        var pooled = users.TrainUsers.SelectMany(u => u.Support.Concat(u.Query))
            .Concat(heldOut.SelectMany(u => u.Support))
            .ToArray();
        return new TaskSplit(dataset.ToCatalogue(), train, validation, test, users.Shuffled.Length, Name, pooled);
    }
}
