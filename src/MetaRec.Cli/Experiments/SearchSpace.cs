using System.Globalization;

namespace MetaRec.Cli.Experiments;

/// <summary>
/// What <c>metarec tune</c> searches per family: a grid of setting values (the keys of each
/// family's <c>--set</c>). Every family draws the same number of configurations from its grid;
/// the first is always the family's defaults, so a search can only keep or beat them on
/// validation. No grid offers a user bias alone as the adaptive part: a per-user bias shifts every
/// score of a user alike, so it can never change that user's ranking (GAUC, top-k), whatever it
/// does to pooled AUC. (The first ml-100k search offered it and AUC selection picked it for mpp.)
/// </summary>
internal static class SearchSpace
{
    /// <summary>Grids by family; a family not listed has nothing to tune.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<(string Key, string[] Values)>> Grids =
        new Dictionary<string, IReadOnlyList<(string Key, string[] Values)>>(StringComparer.Ordinal)
        {
            ["pooled-finetune"] =
            [
                ("inner_steps", ["1", "3", "5", "10"]),
                ("inner_lr", ["0.005", "0.01", "0.05", "0.1", "0.3"]),
                ("adaptive", ["all", "fc1,fc2,out,user_bias", "out,user_bias", "out"]),
            ],
            ["melu"] =
            [
                // The MeLU paper's local 5e-6 / global 5e-5 with 5 local steps is one point of this grid.
                ("inner_lr", ["0.000005", "0.001", "0.01", "0.1", "0.5"]),
                ("outer_lr", ["0.00005", "0.0003", "0.001", "0.003"]),
                ("inner_steps", ["1", "3", "5"]),
                ("support_loss", ["0.5", "1", "2"]),
            ],
            ["mpp"] =
            [
                ("adaptive", ["out,user_bias", "fc2,out,user_bias", "out", "fc1,fc2,out,user_bias"]),
                ("inner_steps", ["1", "3", "5"]),
                ("inner_lr", ["0.1", "0.5", "1", "2"]),
                ("first_order", ["false", "true"]),
                ("support_loss", ["0.5", "1", "2"]),
            ],
            ["limaml"] =
            [
                ("embedding_size", ["8", "16", "32", "64"]),
                ("inner_steps", ["1", "3", "5"]),
                ("inner_lr", ["0.1", "0.5", "1", "2"]),
                ("support_loss", ["0.5", "1", "2"]),
            ],
        };

    /// <summary>The grid's size, or 1 (defaults only) for a family without a grid.</summary>
    public static long Size(string family) =>
        Grids.TryGetValue(family, out var grid) ? grid.Aggregate(1L, (n, axis) => n * axis.Values.Length) : 1;

    /// <summary>
    /// <paramref name="budget"/> distinct configurations (fewer when the grid is smaller): the
    /// defaults (no settings), then grid points drawn without replacement by <c>new Random(seed)</c>.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Sample(string family, int budget, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        var configurations = new List<IReadOnlyDictionary<string, string>> { new Dictionary<string, string>() };
        if (!Grids.TryGetValue(family, out var grid))
        {
            return configurations;
        }
        var size = Size(family);
        var random = new Random(seed);
        var drawn = new HashSet<long>();
        while (configurations.Count < Math.Min(budget, size + 1) && drawn.Count < size)
        {
            var index = random.NextInt64(size);
            if (!drawn.Add(index))
            {
                continue;
            }
            var point = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, values) in grid)
            {
                point[key] = values[index % values.Length];
                index /= values.Length;
            }
            configurations.Add(point);
        }
        return configurations;
    }

    /// <summary>"key=value key=value", or "defaults" for none.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> settings) =>
        settings.Count == 0 ? "defaults" : string.Join(' ', settings.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));
}
