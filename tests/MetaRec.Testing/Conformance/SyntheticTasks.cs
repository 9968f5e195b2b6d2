using MetaRec.Abstractions;

namespace MetaRec.Testing.Conformance;

/// <summary>
/// A small, learnable world for model-family tests: items with multi-hot features, users with
/// categorical fields, and labels from a hidden per-user preference over item features, so
/// both shared structure and per-user adaptation pay off. Deterministic for a seed.
/// </summary>
public static class SyntheticTasks
{
    public static Catalogue Catalogue(int items = 40, int features = 6, int seed = 1)
    {
        var random = new Random(seed);
        var values = new float[items * features];
        for (var i = 0; i < items; i++)
        {
            values[(i * features) + (i % features)] = 1f;
            if (random.NextDouble() < 0.4)
            {
                values[(i * features) + random.Next(features)] = 1f;
            }
        }
        return new Catalogue(new FeatureSchema(items, features, [3, 4]), values);
    }

    /// <summary><paramref name="users"/> tasks with the given support and query sizes.</summary>
    public static IReadOnlyList<UserTask> Tasks(Catalogue catalogue, int users, int support = 12, int query = 6, int seed = 2)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var random = new Random(seed);
        var schema = catalogue.Schema;
        var tasks = new List<UserTask>(users);
        for (var u = 0; u < users; u++)
        {
            var fields = schema.UserFieldCardinalities.Select(c => random.Next(c)).ToArray();
            var taste = Enumerable.Range(0, schema.ItemFeatureCount).Select(_ => (random.NextDouble() * 2) - 1 + (fields[0] * 0.3)).ToArray();
            Example Draw()
            {
                var item = random.Next(schema.ItemCount);
                var score = Enumerable.Range(0, schema.ItemFeatureCount).Sum(f => catalogue.ItemFeatures[(item * schema.ItemFeatureCount) + f] * taste[f]);
                var label = score + ((random.NextDouble() - 0.5) * 0.3) > 0 ? 1f : 0f;
                return new Example(item, label, label > 0 ? 4f : 2f);
            }
            tasks.Add(new UserTask($"user-{u}", fields, [.. Enumerable.Range(0, support).Select(_ => Draw())], [.. Enumerable.Range(0, query).Select(_ => Draw())]));
        }
        return tasks;
    }
}
