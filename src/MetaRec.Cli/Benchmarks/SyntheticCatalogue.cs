using MetaRec.Abstractions;

namespace MetaRec.Cli.Benchmarks;

/// <summary>The benchmarks' synthetic catalogue: every item gets one to three random genres (the peers draw the same way).</summary>
internal static class SyntheticCatalogue
{
    public static Catalogue Create(int items, int genres, int[] userFieldCardinalities, int seed)
    {
        var random = new Random(seed);
        var features = new float[items * genres];
        for (var item = 0; item < items; item++)
        {
            var count = 1 + random.Next(3);
            for (var g = 0; g < count; g++)
            {
                features[(item * genres) + random.Next(genres)] = 1f;
            }
        }
        return new Catalogue(new FeatureSchema(items, genres, userFieldCardinalities), features);
    }
}
