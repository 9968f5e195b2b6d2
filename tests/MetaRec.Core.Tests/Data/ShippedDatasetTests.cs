using System.Diagnostics;
using MetaRec.Core.Data;
using MetaRec.Core.Protocols;
using MetaRec.Testing;
using Xunit.Abstractions;

namespace MetaRec.Core.Tests.Data;

/// <summary>The ml-latest-small copy committed under datasets/.</summary>
public sealed class ShippedDatasetTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    [Fact]
    public void Ml_latest_small_has_its_published_counts()
    {
        var data = DatasetReader.Read(Folder);

        Assert.Equal("ml-latest-small", data.Name);
        Assert.Equal(610, data.UserCount);
        Assert.Equal(9_742, data.ItemCount);
        Assert.Equal(100_836, data.Interactions.Count);
        Assert.Equal(19, data.ItemFeatureCount);
        Assert.Contains("IMAX", data.ItemFeatureNames);
        Assert.Empty(data.UserFieldNames);
        Assert.All(data.Interactions, i => Assert.InRange(i.Rating, 0.5f, 5f));
        // movieId 1 is Toy Story: Adventure|Animation|Children|Comedy|Fantasy.
        Assert.Equal("1", data.ItemIds[0]);
        var toyStory = Enumerable.Range(0, data.ItemFeatureCount)
            .Where(f => data.ItemFeatures[f] == 1f)
            .Select(f => data.ItemFeatureNames[f]);
        Assert.Equal(["Adventure", "Animation", "Children", "Comedy", "Fantasy"], toyStory);
    }

    [Fact]
    public void Ml_latest_small_loads_every_rating_the_same_on_a_second_read()
    {
        // Its speed is a benchmark's business (metarec bench), not a timed unit test's; the time is printed.
        var first = MovieLensLatest.Read(Folder);
        var clock = Stopwatch.StartNew();
        var data = MovieLensLatest.Read(Folder);
        clock.Stop();

        output.WriteLine($"ml-latest-small: {data.Interactions.Count} ratings in {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(100_836, data.Interactions.Count);
        Assert.Equal(first.Interactions, data.Interactions);
    }

    [Fact]
    public void Ml_latest_small_splits_for_cold_start()
    {
        var split = ColdStartProtocol.Split(DatasetReader.Read(Folder), new ColdStartOptions());

        // Every user has at least 20 ratings; 365 have at most 100: floor(255.5) / floor(36.5) / rest.
        Assert.Equal(365, split.QualifyingUsers);
        Assert.Equal((255, 36, 74), (split.Train.Count, split.Validation.Count, split.Test.Count));
        Assert.All(split.Train, t => Assert.Empty(t.UserFields));
    }
}
