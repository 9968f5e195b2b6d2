using MetaRec.Abstractions;
using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>One qualifying user's interactions in time order, cut into support and query.</summary>
internal sealed record UserHistory(int User, Interaction[] Support, Interaction[] Query);

/// <summary>
/// What both protocols share: the qualifying users, their support/query cut, the seeded shuffle
/// and the train/validation/test cut points, and turning a history into a <see cref="UserTask"/>.
/// </summary>
internal sealed class UserHistories
{
    private readonly InteractionDataset _dataset;
    private readonly ColdStartOptions _options;

    public UserHistories(InteractionDataset dataset, ColdStartOptions options, string protocol)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _dataset = dataset;
        _options = options;

        var qualifying = Qualify(dataset, options);
        if (qualifying.Length < ColdStartProtocol.MinimumQualifyingUsers)
        {
            throw new InvalidOperationException(
                $"Only {qualifying.Length} users of '{dataset.Name}' have between {options.MinInteractions} and " +
                $"{options.MaxInteractions} interactions (inclusive); the {protocol} protocol needs at least " +
                $"{ColdStartProtocol.MinimumQualifyingUsers}. Lower MinInteractions or raise MaxInteractions.");
        }
        if (options.UsersByArrival)
        {
            // Earliest first interaction first: train on early users, test on the latest arrivals.
            Array.Sort(qualifying, (a, b) =>
            {
                var byTime = First(a).CompareTo(First(b));
                return byTime != 0 ? byTime : a.User.CompareTo(b.User);
            });
        }
        else
        {
            Shuffle(qualifying, new Random(options.Seed));
        }
        Shuffled = qualifying;
        var validationCount = Floor(qualifying.Length * options.ValidationFraction);
        if (options.Folds >= 2)
        {
            // Fold f holds shuffled positions [f·n/k, (f+1)·n/k): contiguous, sizes differ by at most one.
            var start = (int)((long)options.Fold * qualifying.Length / options.Folds);
            var end = (int)((long)(options.Fold + 1) * qualifying.Length / options.Folds);
            TestUsers = qualifying[start..end];
            var rest = qualifying[..start].Concat(qualifying[end..]).ToArray();
            ValidationUsers = rest[..validationCount];
            TrainUsers = rest[validationCount..];
        }
        else
        {
            var trainCount = Floor(qualifying.Length * options.TrainFraction);
            TrainUsers = qualifying[..trainCount];
            ValidationUsers = qualifying[trainCount..(trainCount + validationCount)];
            TestUsers = qualifying[(trainCount + validationCount)..];
        }
    }

    /// <summary>Qualifying users after the seeded Fisher–Yates shuffle, or in arrival order (<see cref="ColdStartOptions.UsersByArrival"/>).</summary>
    public UserHistory[] Shuffled { get; }

    /// <summary>
    /// One cut: the first floor(n × TrainFraction) users of <see cref="Shuffled"/>. K-fold: the
    /// users of the other folds after the validation users.
    /// </summary>
    public UserHistory[] TrainUsers { get; }

    /// <summary>
    /// floor(n × ValidationFraction) users: one cut, those after the training users; k-fold, the
    /// first of the other folds' users.
    /// </summary>
    public UserHistory[] ValidationUsers { get; }

    /// <summary>One cut: the users after validation. K-fold: the test fold.</summary>
    public UserHistory[] TestUsers { get; }

    public UserTask ToTask(int user, IEnumerable<Interaction> support, IEnumerable<Interaction> query) =>
        new(_dataset.UserIds[user], _dataset.UserFieldsOf(user), [.. support.Select(ToExample)], [.. query.Select(ToExample)]);

    private Example ToExample(Interaction interaction)
    {
        var label = _dataset.HasRatings
            ? (interaction.Rating >= _options.LabelThreshold ? 1f : 0f)
            : interaction.Rating;
        return new Example(interaction.Item, label, interaction.Rating);
    }

    /// <summary>Users in index order whose count lies in [Min, Max], each sorted by (timestamp, item).</summary>
    private static UserHistory[] Qualify(InteractionDataset dataset, ColdStartOptions options)
    {
        var perUser = new List<Interaction>?[dataset.UserCount];
        foreach (var interaction in dataset.Interactions)
        {
            (perUser[interaction.User] ??= []).Add(interaction);
        }
        var qualifying = new List<UserHistory>();
        for (var user = 0; user < perUser.Length; user++)
        {
            var count = perUser[user]?.Count ?? 0;
            if (count < options.MinInteractions || count > options.MaxInteractions)
            {
                continue;
            }
            // OrderBy is stable: equal (timestamp, item) keep file order.
            var ordered = perUser[user]!.OrderBy(i => i.Timestamp).ThenBy(i => i.Item).ToArray();
            var cut = count - options.QuerySize;
            qualifying.Add(new UserHistory(user, ordered[..cut], ordered[cut..]));
        }
        return [.. qualifying];
    }

    private static void Shuffle(UserHistory[] users, Random random)
    {
        for (var i = users.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (users[i], users[j]) = (users[j], users[i]);
        }
    }

    private static long First(UserHistory user) => user.Support.Length > 0 ? user.Support[0].Timestamp : user.Query[0].Timestamp;

    // A hair of slack so that e.g. 0.7 × 10 = 7.000000000000001 and 0.1 × 30 = 2.9999… floor as intended.
    private static int Floor(double value) => (int)Math.Floor(value + 1e-9);
}
