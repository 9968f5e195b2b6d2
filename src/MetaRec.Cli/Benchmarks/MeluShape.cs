using MetaRec.Abstractions;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// The MeLU benchmark shape and a synthetic workload of that shape: a MovieLens-1M-sized
/// catalogue (3,706 items, 18 multi-hot genres) and users with three categorical fields (age
/// bucket, gender, occupation), so the MLP input is 5 × embedding_dim = 160 (item embedding,
/// genre projection, three user fields). Labels follow a hidden per-user taste over genres.
/// Deterministic for a seed.
/// </summary>
internal static class MeluShape
{
    public const int TasksPerStep = 32;
    public const int Support = 50;
    public const int Query = 10;
    public const int EmbeddingDim = 32;
    public const int Hidden1 = 64;
    public const int Hidden2 = 64;
    public const int Items = 3706;
    public const int Genres = 18;

    /// <summary>Age buckets, genders, occupations (MovieLens-1M).</summary>
    public static readonly int[] UserFieldCardinalities = [7, 2, 21];

    /// <summary>Item embedding + genre projection + one embedding per user field.</summary>
    public static int InputWidth => EmbeddingDim * (2 + UserFieldCardinalities.Length);

    /// <summary>Model settings of the shape; <paramref name="extra"/> adds or overrides keys.</summary>
    public static Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["embedding_dim"] = $"{EmbeddingDim}",
            ["hidden1"] = $"{Hidden1}",
            ["hidden2"] = $"{Hidden2}",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Items with one to three genres each.</summary>
    public static Catalogue Catalogue(int seed = 7) => SyntheticCatalogue.Create(Items, Genres, UserFieldCardinalities, seed);

    /// <summary><paramref name="users"/> tasks with <paramref name="support"/> and <paramref name="query"/> examples.</summary>
    public static IReadOnlyList<UserTask> Users(Catalogue catalogue, int users, int support = Support, int query = Query, int seed = 11)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var random = new Random(seed);
        var tasks = new List<UserTask>(users);
        for (var u = 0; u < users; u++)
        {
            var fields = UserFieldCardinalities.Select(c => random.Next(c)).ToArray();
            var taste = Enumerable.Range(0, Genres).Select(_ => (random.NextDouble() * 2) - 1).ToArray();
            Example Draw()
            {
                var item = random.Next(Items);
                var score = 0.0;
                for (var g = 0; g < Genres; g++)
                {
                    score += catalogue.ItemFeatures[(item * Genres) + g] * taste[g];
                }
                var label = score + ((random.NextDouble() - 0.5) * 0.5) > 0 ? 1f : 0f;
                return new Example(item, label, label > 0 ? 4f : 2f);
            }
            tasks.Add(new UserTask(
                $"bench-{u}",
                fields,
                [.. Enumerable.Range(0, support).Select(_ => Draw())],
                [.. Enumerable.Range(0, query).Select(_ => Draw())]));
        }
        return tasks;
    }

    /// <summary>Splits <paramref name="users"/> into consecutive batches of <see cref="TasksPerStep"/>.</summary>
    public static IReadOnlyList<IReadOnlyList<UserTask>> Batches(IReadOnlyList<UserTask> users) =>
        [.. users.Chunk(TasksPerStep).Where(b => b.Length == TasksPerStep).Select(b => (IReadOnlyList<UserTask>)b)];
}
