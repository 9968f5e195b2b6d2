namespace MetaRec.Core.Data;

/// <summary>
/// Stable categorical encoding: the distinct non-blank values sorted ordinally get indices
/// 1..n, index 0 means unknown (a blank value), so the cardinality is n + 1.
/// </summary>
internal static class CategoricalField
{
    public static (int[] Codes, int Cardinality) Encode(IReadOnlyList<string> values)
    {
        var vocabulary = values
            .Where(v => !string.IsNullOrWhiteSpace(v))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select((value, i) => (value, i))
            .ToDictionary(p => p.value, p => p.i + 1, StringComparer.Ordinal);
        var codes = new int[values.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = string.IsNullOrWhiteSpace(values[i]) ? 0 : vocabulary[values[i]];
        }
        return (codes, vocabulary.Count + 1);
    }
}
