using MetaRec.Core.Data;

namespace MetaRec.Core.Tests.Data;

public sealed class InteractionDatasetTests
{
    [Fact]
    public void Exposes_schema_catalogue_and_user_fields()
    {
        var data = Create(userFields: [1, 2, 0, 1]);

        Assert.Equal(2, data.UserCount);
        Assert.Equal(3, data.Schema.ItemCount);
        Assert.Equal(1, data.Schema.ItemFeatureCount);
        Assert.Equal([2, 3], data.Schema.UserFieldCardinalities);
        Assert.Equal([0f, 1f, 0f], data.ToCatalogue().ItemFeatures);
        Assert.Equal([0, 1], data.UserFieldsOf(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.UserFieldsOf(2));
    }

    [Fact]
    public void Rejects_inconsistent_inputs()
    {
        Assert.Throws<ArgumentException>(() => Create(userFields: [1, 2, 0]));
        Assert.Throws<ArgumentException>(() => Create(userFields: [1, 3, 0, 1]));
        Assert.Throws<ArgumentException>(() => Create(interactions: [new Interaction(0, 3, 4f, 0)]));
        Assert.Throws<ArgumentException>(() => Create(interactions: [new Interaction(2, 0, 4f, 0)]));
        Assert.Throws<ArgumentException>(() => Create(interactions: [new Interaction(0, 0, 4f, 0)], hasRatings: false));
        Assert.Throws<ArgumentException>(() => Create(userIds: ["a", "a"]));
        Assert.Throws<ArgumentException>(() => Create(itemFeatures: [0f, 1f]));
    }

    private static InteractionDataset Create(
        int[]? userFields = null,
        Interaction[]? interactions = null,
        bool hasRatings = true,
        string[]? userIds = null,
        float[]? itemFeatures = null) =>
        new(
            "test",
            userIds ?? ["a", "b"],
            ["x", "y", "z"],
            interactions ?? [new Interaction(0, 1, 4f, 10), new Interaction(1, 2, 1f, 11)],
            hasRatings,
            ["genre"],
            itemFeatures ?? [0f, 1f, 0f],
            ["age", "gender"],
            [2, 3],
            userFields ?? [1, 2, 0, 1]);
}
