using System.Globalization;

namespace MetaRec.Core.Data;

/// <summary>Where a row came from, with parsers that fail as a <see cref="DataFormatException"/> naming it.</summary>
internal readonly record struct SourceLine(string File, int Number)
{
    public DataFormatException Error(string detail) => new(File, Number, detail);

    public int ParseInt(ReadOnlySpan<char> text, string what) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error($"{what} must be an integer, found '{text}'");

    public long ParseLong(ReadOnlySpan<char> text, string what) =>
        long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error($"{what} must be an integer, found '{text}'");

    public float ParseFloat(ReadOnlySpan<char> text, string what) =>
        float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw Error($"{what} must be a finite number, found '{text}'");

    /// <summary>A rating in <c>[min, max]</c>.</summary>
    public float ParseRating(ReadOnlySpan<char> text, float min, float max)
    {
        var rating = ParseFloat(text, "rating");
        return rating >= min && rating <= max
            ? rating
            : throw Error(string.Create(CultureInfo.InvariantCulture, $"rating {rating} is out of range [{min}, {max}]"));
    }

    /// <summary>A non-empty, trimmed external id.</summary>
    public string ParseId(ReadOnlySpan<char> text, string what)
    {
        var trimmed = text.Trim();
        return trimmed.IsEmpty ? throw Error($"{what} is empty") : trimmed.ToString();
    }
}
