using System.Text.RegularExpressions;

namespace MetaRec.Storage.Registry;

/// <summary>
/// Validation of names that become blob or file paths: family names, versions, user ids and run ids.
/// Only a small character set is accepted, so no name can climb out of its folder or prefix.
/// </summary>
public static partial class StorageNames
{
    /// <summary>Lower-case letters, digits and '-', 1–63 characters, starting with a letter or digit.</summary>
    public static string Family(string value) => Check(value, FamilyPattern(), "family", "lower-case letters, digits and '-', 1–63 characters");

    /// <summary>Letters, digits, '.', '_' and '-', 1–64 characters, starting with a letter or digit, no "..".</summary>
    public static string Version(string value)
    {
        Check(value, VersionPattern(), "version", "letters, digits, '.', '_' and '-', 1–64 characters");
        return value.Contains("..", StringComparison.Ordinal)
            ? throw new ArgumentException($"version '{value}' must not contain '..'", nameof(value))
            : value;
    }

    /// <summary>Letters, digits and . _ @ : -, 1–128 characters, no "..": safe as a file name and a Table row key.</summary>
    public static string UserId(string value)
    {
        Check(value, UserIdPattern(), "userId", "letters, digits and . _ @ : -, 1–128 characters");
        return value.Contains("..", StringComparison.Ordinal)
            ? throw new ArgumentException($"userId '{value}' must not contain '..'", "userId")
            : value;
    }

    /// <summary>Lower-case letters, digits and '-', 1–64 characters, starting with a letter or digit (a training run id).</summary>
    public static string RunId(string value) => Check(value, RunIdPattern(), "run id", "lower-case letters, digits and '-', 1–64 characters");

    private static string Check(string value, Regex pattern, string what, string rule)
    {
        ArgumentNullException.ThrowIfNull(value);
        return pattern.IsMatch(value)
            ? value
            : throw new ArgumentException($"{what} '{Shorten(value)}' is not valid: {rule}", what);
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex FamilyPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunIdPattern();
}
