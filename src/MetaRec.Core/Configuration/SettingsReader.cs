using System.Globalization;

namespace MetaRec.Core.Configuration;

/// <summary>
/// Reads a model family's string settings (from the CLI, a manifest or app configuration) with
/// typed defaults, remembers every effective value, and rejects keys nobody asked for.
/// Keys are case-insensitive; '-' and '_' are interchangeable.
/// </summary>
public sealed class SettingsReader
{
    private readonly Dictionary<string, string> _given;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _effective = new(StringComparer.Ordinal);

    public SettingsReader(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in settings)
        {
            if (!_given.TryAdd(Normalize(key), value))
            {
                throw new ArgumentException($"setting '{key}' is given twice", nameof(settings));
            }
        }
    }

    /// <summary>Every setting read so far with its effective value (given or default).</summary>
    public IReadOnlyDictionary<string, string> Effective => _effective;

    public string String(string key, string fallback) => Read(key, fallback, v => v);

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Read(key, fallback, v =>
        {
            var value = int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture);
            return value >= min && value <= max ? value : throw new FormatException($"must be in [{min}, {max}]");
        });

    public float Float(string key, float fallback, float min = float.MinValue, float max = float.MaxValue) =>
        Read(key, fallback, v =>
        {
            var value = float.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture);
            return value >= min && value <= max ? value : throw new FormatException($"must be in [{min}, {max}]");
        });

    public bool Bool(string key, bool fallback) => Read(key, fallback, v => bool.Parse(v));

    /// <summary>Throws if any given key was never read: a typo must not pass silently.</summary>
    public void ThrowOnUnknown()
    {
        var unknown = _given.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"unknown setting(s): {string.Join(", ", unknown)}; known: {string.Join(", ", _effective.Keys)}");
        }
    }

    private T Read<T>(string key, T fallback, Func<string, T> parse)
    {
        var normalized = Normalize(key);
        _read.Add(normalized);
        T value = fallback;
        if (_given.TryGetValue(normalized, out var text))
        {
            try
            {
                value = parse(text.Trim());
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new ArgumentException($"setting '{key}' has a bad value '{text}': {e.Message}", e);
            }
        }
        _effective[normalized] = Format(value);
        return value;
    }

    private static string Format<T>(T value) => value switch
    {
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? string.Empty,
    };

    private static string Normalize(string key) => key.Trim().Replace('-', '_').ToLowerInvariant();
}
