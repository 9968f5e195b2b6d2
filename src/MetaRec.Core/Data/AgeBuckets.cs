namespace MetaRec.Core.Data;

/// <summary>
/// The MovieLens 1M age buckets, used for MovieLens 100K too: under 18, 18-24, 25-34, 35-44,
/// 45-49, 50-55, 56+, coded by their lower bound (1 for under 18). Indices 1..7, 0 = unknown.
/// </summary>
internal static class AgeBuckets
{
    /// <summary>Seven buckets plus unknown.</summary>
    public const int Cardinality = 8;

    private static ReadOnlySpan<int> Codes => [1, 18, 25, 35, 45, 50, 56];

    /// <summary>The bucket index (1..7) of an age in years.</summary>
    public static int FromAge(int age)
    {
        var index = 1;
        for (var i = 1; i < Codes.Length; i++)
        {
            if (age >= Codes[i])
            {
                index = i + 1;
            }
        }
        return index;
    }

    /// <summary>The bucket index (1..7) of a MovieLens 1M age code, or -1 when it is not one.</summary>
    public static int FromCode(int code)
    {
        var i = Codes.IndexOf(code);
        return i < 0 ? -1 : i + 1;
    }
}
