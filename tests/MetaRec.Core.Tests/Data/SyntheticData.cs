using MetaRec.Core.Data;

namespace MetaRec.Core.Tests.Data;

/// <summary>A generated dataset for protocol tests: user u has 10 + u interactions with timestamp ties.</summary>
internal static class SyntheticData
{
    public const int Users = 30;
    public const int Items = 50;

    public static InteractionDataset Create(bool labelOnly = false)
    {
        var interactions = new List<Interaction>();
        for (var user = 0; user < Users; user++)
        {
            for (var j = 0; j < 10 + user; j++)
            {
                // 13 is prime to 50, so a user's items are distinct; (j * 7) % 11 repeats timestamps.
                var item = ((j * 13) + user) % Items;
                var rating = labelOnly ? (j + user) % 2 : 1 + ((j + user) % 5);
                interactions.Add(new Interaction(user, item, rating, 1000 + ((j * 7) % 11)));
            }
        }
        // Reverse so that file order is not time order.
        interactions.Reverse();
        return new InteractionDataset(
            "synthetic",
            [.. Enumerable.Range(0, Users).Select(u => $"user{u}")],
            [.. Enumerable.Range(0, Items).Select(i => $"item{i}")],
            interactions,
            hasRatings: !labelOnly,
            [],
            [],
            ["bucket"],
            [4],
            [.. Enumerable.Range(0, Users).Select(u => u % 4)]);
    }
}
