using MetaRec.Core.Protocols;

namespace MetaRec.Core.Tests.Data;

public sealed class IncrementalProtocolTests
{
    [Fact]
    public void Periods_are_equal_cuts_of_the_time_ordered_interactions_each_a_positive_with_one_unseen_negative()
    {
        var dataset = SyntheticData.Create();
        var split = IncrementalProtocol.Split(dataset, new IncrementalOptions(Periods: 7, PretrainPeriods: 2, TestPeriods: 2, History: 5));

        Assert.Equal(7, split.Periods.Count);
        Assert.Equal(5, split.FirstTestPeriod);
        Assert.Equal(dataset.Interactions.Count, split.Periods.Sum(p => p.Count));
        Assert.InRange(split.Periods.Max(p => p.Count) - split.Periods.Min(p => p.Count), 0, 1);
        Assert.Equal([dataset.UserCount + 1], split.Catalogue.Schema.UserFieldCardinalities);

        var itemsOf = dataset.Interactions.GroupBy(i => dataset.UserIds[i.User]).ToDictionary(g => g.Key, g => g.Select(i => i.Item).ToHashSet());
        var lastTime = long.MinValue;
        var earlier = new Dictionary<string, List<int>>();
        foreach (var task in split.Periods.SelectMany(p => p))
        {
            var positive = task.Query[0];
            var negative = task.Query[1];
            Assert.Equal((1f, 0f), (positive.Label, negative.Label));
            Assert.DoesNotContain(negative.Item, itemsOf[task.UserId]);
            Assert.Equal(dataset.UserIds.ToList().IndexOf(task.UserId) + 1, task.UserFields.Single());
            var time = dataset.Interactions.First(i => dataset.UserIds[i.User] == task.UserId && i.Item == positive.Item).Timestamp;
            Assert.True(time >= lastTime, "tasks are in time order");
            lastTime = time;
            var history = earlier.TryGetValue(task.UserId, out var seen) ? seen : earlier[task.UserId] = [];
            Assert.Equal(history.TakeLast(5), task.Support.Select(e => e.Item)); // the last 5 earlier items, oldest first
            history.Add(positive.Item);
        }
    }

    [Fact]
    public void The_same_seed_draws_the_same_negatives_and_bad_options_are_named()
    {
        var dataset = SyntheticData.Create();
        var options = new IncrementalOptions(Periods: 5, PretrainPeriods: 2, TestPeriods: 1);
        var a = IncrementalProtocol.Split(dataset, options).Periods.SelectMany(p => p).Select(t => t.Query[1].Item);
        var b = IncrementalProtocol.Split(dataset, options).Periods.SelectMany(p => p).Select(t => t.Query[1].Item);
        var c = IncrementalProtocol.Split(dataset, options with { Seed = 2 }).Periods.SelectMany(p => p).Select(t => t.Query[1].Item);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        Assert.Contains("fit in 5 periods", Assert.Throws<ArgumentException>(() => IncrementalProtocol.Split(dataset, options with { TestPeriods = 4 })).Message, StringComparison.Ordinal);
        Assert.Contains("history", Assert.Throws<ArgumentException>(() => IncrementalProtocol.Split(dataset, options with { History = 0 })).Message, StringComparison.Ordinal);
    }
}
