using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Protocols;

namespace MetaRec.Core.Tests.Data;

public sealed class ColdStartProtocolTests
{
    // Users 3..25 have 13..35 interactions: 23 qualify.
    private static readonly ColdStartOptions Options = new() { MaxInteractions = 35 };

    private readonly InteractionDataset _data = SyntheticData.Create();

    [Fact]
    public void Keeps_users_within_the_bounds_and_splits_70_10_20_rounding_down()
    {
        var split = ColdStartProtocol.Split(_data, Options);

        Assert.Equal(23, split.QualifyingUsers);
        // floor(23 × 0.7) = 16, floor(23 × 0.1) = 2, test = 23 − 18 = 5.
        Assert.Equal((16, 2, 5), (split.Train.Count, split.Validation.Count, split.Test.Count));
        var all = split.Train.Concat(split.Validation).Concat(split.Test).Select(t => Index(t.UserId)).Order();
        Assert.Equal(Enumerable.Range(3, 23), all);
    }

    [Fact]
    public void No_user_is_in_two_splits()
    {
        var split = ColdStartProtocol.Split(_data, Options);

        var train = split.Train.Select(t => t.UserId).ToHashSet();
        var validation = split.Validation.Select(t => t.UserId).ToHashSet();
        var test = split.Test.Select(t => t.UserId).ToHashSet();
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
    }

    [Fact]
    public void Query_is_the_latest_ten_in_time_order_and_support_is_not_later()
    {
        var split = ColdStartProtocol.Split(_data, Options);

        foreach (var task in split.Train.Concat(split.Validation).Concat(split.Test))
        {
            var user = Index(task.UserId);
            var history = _data.Interactions.Where(i => i.User == user).OrderBy(i => i.Timestamp).ThenBy(i => i.Item).ToArray();
            Assert.Equal(10, task.Query.Count);
            Assert.Equal(history.Length - 10, task.Support.Count);
            Assert.Equal(history.Select(i => i.Item), task.Support.Concat(task.Query).Select(e => e.Item));
            var time = history.ToDictionary(i => i.Item, i => i.Timestamp);
            Assert.True(task.Support.Max(e => time[e.Item]) <= task.Query.Min(e => time[e.Item]));
        }
    }

    [Fact]
    public void Labels_are_ratings_at_or_above_the_threshold_and_fields_come_from_the_dataset()
    {
        var split = ColdStartProtocol.Split(_data, Options);

        var examples = split.Train.SelectMany(t => t.Support.Concat(t.Query)).ToArray();
        Assert.All(examples, e => Assert.Equal(e.Rating >= 4f ? 1f : 0f, e.Label));
        Assert.Contains(examples, e => e.Label == 1f);
        Assert.All(split.Test, t => Assert.Equal([Index(t.UserId) % 4], t.UserFields));
    }

    [Fact]
    public void Label_only_data_keeps_its_stored_labels()
    {
        var split = ColdStartProtocol.Split(SyntheticData.Create(labelOnly: true), Options with { LabelThreshold = 100f });

        var examples = split.Test.SelectMany(t => t.Query).ToArray();
        Assert.All(examples, e => Assert.Equal(e.Rating, e.Label));
        Assert.Contains(examples, e => e.Label == 1f);
    }

    [Fact]
    public void Pooled_training_is_every_interaction_of_the_training_users()
    {
        var split = ColdStartProtocol.Split(_data, Options);

        var trainUsers = split.Train.Select(t => Index(t.UserId)).ToHashSet();
        Assert.Equal(_data.Interactions.Count(i => trainUsers.Contains(i.User)), split.PooledTraining.Count);
        Assert.All(split.PooledTraining, i => Assert.Contains(i.User, trainUsers));
        Assert.Equal("cold-start", split.Protocol);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var first = Users(ColdStartProtocol.Split(_data, Options));
        var again = Users(ColdStartProtocol.Split(_data, Options));
        var other = Users(ColdStartProtocol.Split(_data, Options with { Seed = 2 }));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Too_few_qualifying_users_is_an_error_that_gives_the_count_and_bounds()
    {
        // Only users 28 and 29 have 38 or more interactions.
        var e = Assert.Throws<InvalidOperationException>(
            () => ColdStartProtocol.Split(_data, Options with { MinInteractions = 38, MaxInteractions = 100 }));

        Assert.Contains("Only 2 users", e.Message, StringComparison.Ordinal);
        Assert.Contains("between 38 and 100", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_field()
    {
        Assert.Equal("MinInteractions", Assert.Throws<ArgumentException>(() => (Options with { MinInteractions = 10 }).Validate()).ParamName);
        Assert.Equal("MaxInteractions", Assert.Throws<ArgumentException>(() => (Options with { MaxInteractions = 12 }).Validate()).ParamName);
        Assert.Equal("QuerySize", Assert.Throws<ArgumentException>(() => (Options with { QuerySize = 0 }).Validate()).ParamName);
        Assert.Equal("TrainFraction", Assert.Throws<ArgumentException>(() => (Options with { TrainFraction = 1.2 }).Validate()).ParamName);
        Assert.Equal("ValidationFraction", Assert.Throws<ArgumentException>(() => (Options with { ValidationFraction = 0.5 }).Validate()).ParamName);
        Assert.Equal("LabelThreshold", Assert.Throws<ArgumentException>(() => (Options with { LabelThreshold = float.NaN }).Validate()).ParamName);
        Assert.Throws<ArgumentException>(() => ColdStartProtocol.Split(_data, Options with { QuerySize = 20 }));
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var defaults = new ColdStartOptions();

        Assert.Equal((13, 100, 10, 4.0f, 0.7, 0.1, 1),
            (defaults.MinInteractions, defaults.MaxInteractions, defaults.QuerySize, defaults.LabelThreshold,
             defaults.TrainFraction, defaults.ValidationFraction, defaults.Seed));
    }

    internal static int Index(string userId) => int.Parse(userId.AsSpan("user".Length), provider: null);

    internal static string[][] Users(TaskSplit split) =>
        [[.. split.Train.Select(t => t.UserId)], [.. split.Validation.Select(t => t.UserId)], [.. split.Test.Select(t => t.UserId)]];

    internal static string Describe(UserTask task) => $"{task.UserId}:{string.Join(',', task.Support.Select(e => e.Item))}|{string.Join(',', task.Query.Select(e => e.Item))}";
}
