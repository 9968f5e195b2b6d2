namespace MetaRec.Core.Data;

/// <summary>Multi-hot genre features from per-item genre name lists.</summary>
internal static class GenreFeatures
{
    /// <summary>What MovieLens writes for an item without genres.</summary>
    public const string NoGenres = "(no genres listed)";

    /// <summary>Splits a <c>|</c>-separated genre list; <see cref="NoGenres"/> and blanks mean none.</summary>
    public static string[] Split(string genres) =>
        genres.Trim() is "" or NoGenres
            ? []
            : genres.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Genre names sorted ordinally and the row-major <c>items × genres</c> multi-hot matrix, rows
    /// in index order (<paramref name="genresPerRow"/> is in file order, row i belongs to <c>ids[i]</c>).
    /// </summary>
    public static (string[] Names, float[] Features) MultiHot(
        IReadOnlyList<string> ids, IReadOnlyList<string[]> genresPerRow, IReadOnlyDictionary<string, int> index)
    {
        var genresPerItem = new string[ids.Count][];
        for (var i = 0; i < ids.Count; i++)
        {
            genresPerItem[index[ids[i]]] = genresPerRow[i];
        }
        var names = genresPerItem.SelectMany(g => g).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var column = ExternalIds.IndexOf(names);
        var features = new float[genresPerItem.Length * names.Length];
        for (var item = 0; item < genresPerItem.Length; item++)
        {
            foreach (var genre in genresPerItem[item])
            {
                features[(item * names.Length) + column[genre]] = 1f;
            }
        }
        return (names, features);
    }
}
