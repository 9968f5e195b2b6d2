using System.CommandLine;
using System.Globalization;

namespace MetaRec.Cli.Commands;

/// <summary>Options several commands share, with one definition each.</summary>
internal static class CommonOptions
{
    /// <summary>The ml-latest-small copy shipped next to the tool.</summary>
    public static string ShippedDataset => Path.Combine(AppContext.BaseDirectory, "datasets", "ml-latest-small");

    public static Option<string> Data() => new("--data")
    {
        Description = "Dataset folder or CSV file (MovieLens 100K, 1M, latest, or a generic user_id,item_id,rating|label,timestamp CSV). Default: the shipped ml-latest-small.",
        DefaultValueFactory = _ => ShippedDataset,
    };

    public static Option<string> Protocol() => new("--protocol")
    {
        Description = "cold (unseen test users) or warm (test users seen through their support sets).",
        DefaultValueFactory = _ => "cold",
    };

    public static Option<int> Epochs() => new("--epochs") { Description = "Most passes over the training users.", DefaultValueFactory = _ => 30 };

    public static Option<int> BatchSize() => new("--batch-size") { Description = "User tasks per step.", DefaultValueFactory = _ => 32 };

    public static Option<int> Patience() => new("--patience") { Description = "Epochs without validation gain before stopping.", DefaultValueFactory = _ => 5 };

    public static Option<string> Selection() => new("--selection") { Description = "Validation metric that picks the epoch: auc, gauc or logloss.", DefaultValueFactory = _ => "auc" };

    public static Option<int> Threads() => new("--threads") { Description = "libtorch intra-op threads; 0 = one per core. Default 1: small models gain little from more, and spinning threads collapse when cores are shared.", DefaultValueFactory = _ => 1 };

    public static Option<int> MinInteractions() => new("--min-interactions") { Description = "Fewest interactions of a qualifying user.", DefaultValueFactory = _ => 13 };

    public static Option<int> MaxInteractions() => new("--max-interactions") { Description = "Most interactions of a qualifying user.", DefaultValueFactory = _ => 100 };

    public static Option<float> LabelThreshold() => new("--label-threshold") { Description = "Ratings at or above this are positives.", DefaultValueFactory = _ => 4f };

    public static Option<string[]> Settings() => new("--set")
    {
        Description = "Model setting key=value (e.g. inner_lr=0.5); prefix with a family to target one: mpp.inner_steps=5. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    /// <summary>
    /// Settings for <paramref name="family"/> from <c>key=value</c> and <c>family.key=value</c> entries.
    /// </summary>
    /// <exception cref="ArgumentException">An entry has no '='.</exception>
    public static Dictionary<string, string> SettingsFor(string family, IEnumerable<string> entries)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--set '{entry}' is not key=value");
            }
            var key = entry[..equals].Trim();
            var value = entry[(equals + 1)..].Trim();
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                result[key] = value;
            }
            else if (string.Equals(key[..dot], family, StringComparison.OrdinalIgnoreCase))
            {
                result[key[(dot + 1)..]] = value;
            }
        }
        return result;
    }

    /// <summary>Parses "1,2,3" or "1-5".</summary>
    public static int[] ParseSeeds(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            var from = int.Parse(text[..dash], CultureInfo.InvariantCulture);
            var to = int.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture);
            return to >= from ? [.. Enumerable.Range(from, to - from + 1)] : throw new ArgumentException($"--seeds '{text}': range ends before it starts");
        }
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
    }
}
