using MetaRec.Core.Data;
using MetaRec.Core.Protocols;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

/// <summary>MovieLens 100K from the shared datasets folder (never committed).</summary>
public sealed class MovieLens100KDatasetTests
{
    private static readonly Lazy<InteractionDataset> Data = new(() => DatasetReader.Read(DatasetPaths.Require("ml-100k")));

    [Fact]
    public void Ml_100k_has_its_published_counts()
    {
        var data = Data.Value;

        Assert.Equal(943, data.UserCount);
        Assert.Equal(1_682, data.ItemCount);
        Assert.Equal(100_000, data.Interactions.Count);
        Assert.Equal(19, data.ItemFeatureCount);
        Assert.Equal(3, data.UserFieldCount);
        Assert.Equal([8, 3, 22], data.UserFieldCardinalities); // 2 genders, 21 occupations
        Assert.Equal(["1", "2", "3"], data.UserIds.Take(3));
        // User 1: 24, M, technician -> 18-24 bucket, M, technician (20th of 21 occupations).
        Assert.Equal([2, 2, 20], data.UserFieldsOf(0));
    }

    [Fact]
    public void A_split_by_arrival_tests_on_the_latest_users_whatever_the_seed()
    {
        var data = Data.Value;
        var first = DatasetFingerprint.FirstSeen(data);

        var split = ColdStartProtocol.Split(data, new ColdStartOptions { UsersByArrival = true, Seed = 1 });
        var again = ColdStartProtocol.Split(data, new ColdStartOptions { UsersByArrival = true, Seed = 9 });

        Assert.Equal((407, 58, 117), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.True(split.Train.Max(t => first[t.UserId]) <= split.Validation.Min(t => first[t.UserId]));
        Assert.True(split.Validation.Max(t => first[t.UserId]) <= split.Test.Min(t => first[t.UserId]));
        Assert.Equal(split.Test.Select(t => t.UserId), again.Test.Select(t => t.UserId));
    }

    [Fact]
    public void Cold_start_split_matches_the_reference_counts()
    {
        var split = ColdStartProtocol.Split(Data.Value, new ColdStartOptions());

        Assert.Equal(582, split.QualifyingUsers);
        Assert.Equal(407, split.Train.Count);
        Assert.Equal(58, split.Validation.Count);
        Assert.Equal(117, split.Test.Count);
        Assert.Equal("cold-start", split.Protocol);
        Assert.Equal(split.Train.Sum(t => t.Support.Count + t.Query.Count), split.PooledTraining.Count);
        Assert.All(split.Test, t => Assert.Equal(3, t.UserFields.Length));
        Assert.Equal(1_682, split.Catalogue.Schema.ItemCount);
    }

    [Fact]
    public void Warm_split_trains_on_every_qualifying_user()
    {
        var split = WarmProtocol.Split(Data.Value, new ColdStartOptions());

        Assert.Equal(582, split.Train.Count);
        Assert.Equal(58, split.Validation.Count);
        Assert.Equal(117, split.Test.Count);
        Assert.Equal("warm", split.Protocol);
    }
}
