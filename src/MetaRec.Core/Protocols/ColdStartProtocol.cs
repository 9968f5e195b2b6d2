using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>
/// The user cold-start protocol. A user qualifies with <see cref="ColdStartOptions.MinInteractions"/>
/// to <see cref="ColdStartOptions.MaxInteractions"/> interactions (inclusive). A qualifying user's
/// interactions are sorted by (timestamp, item index); the latest
/// <see cref="ColdStartOptions.QuerySize"/> form the query set and all earlier ones the support set,
/// so no support example is later than a query example. Labels are
/// <c>rating ≥ LabelThreshold</c> (a label-only dataset's 0/1 as stored). Qualifying users, in index
/// order, are shuffled by Fisher–Yates with <c>new Random(Seed)</c> and cut into train
/// (floor(n × TrainFraction)), validation (floor(n × ValidationFraction)) and test (the rest):
/// every user is in exactly one split, so test users are never seen in training.
/// </summary>
public static class ColdStartProtocol
{
    public const string Name = "cold-start";

    /// <summary>Fewer qualifying users than this is an error.</summary>
    public const int MinimumQualifyingUsers = 10;

    /// <exception cref="InvalidOperationException">Fewer than <see cref="MinimumQualifyingUsers"/> users qualify.</exception>
    public static TaskSplit Split(InteractionDataset dataset, ColdStartOptions options)
    {
        var users = new UserHistories(dataset, options, Name);
        var train = users.TrainUsers.Select(u => users.ToTask(u.User, u.Support, u.Query)).ToArray();
        var validation = users.ValidationUsers.Select(u => users.ToTask(u.User, u.Support, u.Query)).ToArray();
        var test = users.TestUsers.Select(u => users.ToTask(u.User, u.Support, u.Query)).ToArray();
        var pooled = users.TrainUsers.SelectMany(u => u.Support.Concat(u.Query)).ToArray();
        return new TaskSplit(dataset.ToCatalogue(), train, validation, test, users.Shuffled.Length, Name, pooled);
    }
}
