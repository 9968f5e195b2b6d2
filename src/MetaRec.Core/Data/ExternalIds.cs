using System.Globalization;

namespace MetaRec.Core.Data;

/// <summary>
/// Deterministic numbering of external ids: distinct ids sorted numerically when every id is an
/// integer, ordinally otherwise; the index of an id is its position.
/// </summary>
internal static class ExternalIds
{
    public static string[] Order(IEnumerable<string> ids)
    {
        var distinct = ids.Distinct(StringComparer.Ordinal).ToArray();
        var numbers = new long[distinct.Length];
        var numeric = true;
        for (var i = 0; i < distinct.Length && numeric; i++)
        {
            numeric = long.TryParse(distinct[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numbers[i]);
        }
        if (numeric)
        {
            // Ties ("7" and "007") fall back to ordinal order so the result never depends on input order.
            var order = Enumerable.Range(0, distinct.Length)
                .OrderBy(i => numbers[i])
                .ThenBy(i => distinct[i], StringComparer.Ordinal)
                .ToArray();
            return [.. order.Select(i => distinct[i])];
        }
        Array.Sort(distinct, StringComparer.Ordinal);
        return distinct;
    }

    public static Dictionary<string, int> IndexOf(IReadOnlyList<string> ordered)
    {
        var index = new Dictionary<string, int>(ordered.Count, StringComparer.Ordinal);
        for (var i = 0; i < ordered.Count; i++)
        {
            index.Add(ordered[i], i);
        }
        return index;
    }
}
