using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// Reads a MovieLens 100K folder: <c>u.data</c> (tab-separated user, item, rating 1-5, unix
/// time), <c>u.user</c> (<c>id|age|gender|occupation|zip</c>) and <c>u.item</c>
/// (<c>id|title|release date|video release date|url|</c> and 19 genre flags). Users and items are
/// those of <c>u.user</c> and <c>u.item</c>; user fields are age bucket (the MovieLens 1M buckets),
/// gender and occupation; item features are the 19 genre flags. Files are read as Latin-1.
/// </summary>
public static class MovieLens100K
{
    public const string RatingsFile = "u.data";
    public const string UsersFile = "u.user";
    public const string ItemsFile = "u.item";

    private const string Format = "MovieLens 100K";
    private const int ItemLeadingFields = 5;

    /// <summary>The 19 genre flags of <c>u.item</c>, in file order (as listed in <c>u.genre</c>).</summary>
    public static IReadOnlyList<string> Genres { get; } =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    public static InteractionDataset Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var (itemIds, itemFeatures) = ReadItems(DatasetFiles.Require(folder, ItemsFile, Format));
        var users = ReadUsers(DatasetFiles.Require(folder, UsersFile, Format));
        var userIds = ExternalIds.Order(users.Keys);
        var itemOrder = ExternalIds.Order(itemIds);
        var userIndex = ExternalIds.IndexOf(userIds);
        var itemIndex = ExternalIds.IndexOf(itemOrder);
        var raw = DelimitedRatings.Read(
            DatasetFiles.Require(folder, RatingsFile, Format), "\t", "tab", (userIndex, UsersFile), (itemIndex, ItemsFile));

        var ages = userIds.Select(u => users[u].Age).ToArray();
        var (genders, genderCardinality) = CategoricalField.Encode([.. userIds.Select(u => users[u].Gender)]);
        var (occupations, occupationCardinality) = CategoricalField.Encode([.. userIds.Select(u => users[u].Occupation)]);
        var userFields = new int[userIds.Length * 3];
        for (var u = 0; u < userIds.Length; u++)
        {
            userFields[(u * 3) + 0] = ages[u];
            userFields[(u * 3) + 1] = genders[u];
            userFields[(u * 3) + 2] = occupations[u];
        }

        return new InteractionDataset(
            DatasetFiles.NameOf(folder),
            userIds,
            itemOrder,
            raw.Encode(userIndex, itemIndex),
            hasRatings: true,
            Genres,
            Reorder(itemIds, itemFeatures, itemIndex, Genres.Count),
            ["age", "gender", "occupation"],
            [AgeBuckets.Cardinality, genderCardinality, occupationCardinality],
            userFields);
    }

    private static (List<string> Ids, List<float[]> Features) ReadItems(string path)
    {
        var ids = new List<string>();
        var features = new List<float[]>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Span<Range> fields = stackalloc Range[ItemLeadingFields + 19];
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            TextLines.Split(line, text, fields, "|", "'|'");
            var id = line.ParseId(text[fields[0]], "item id");
            if (!seen.Add(id))
            {
                throw line.Error($"item {id} is listed twice");
            }
            var flags = new float[Genres.Count];
            for (var g = 0; g < flags.Length; g++)
            {
                flags[g] = text.AsSpan(fields[ItemLeadingFields + g]).Trim() switch
                {
                    "0" => 0f,
                    "1" => 1f,
                    var other => throw line.Error($"genre flag '{Genres[g]}' must be 0 or 1, found '{other}'"),
                };
            }
            ids.Add(id);
            features.Add(flags);
        }
        return (ids, features);
    }

    private static Dictionary<string, (int Age, string Gender, string Occupation)> ReadUsers(string path)
    {
        var users = new Dictionary<string, (int, string, string)>(StringComparer.Ordinal);
        Span<Range> fields = stackalloc Range[5];
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            TextLines.Split(line, text, fields, "|", "'|'");
            var id = line.ParseId(text[fields[0]], "user id");
            var age = line.ParseInt(text.AsSpan(fields[1]), "age");
            if (age < 0)
            {
                throw line.Error($"age {age} is negative");
            }
            if (!users.TryAdd(id, (AgeBuckets.FromAge(age), text[fields[2]].Trim(), text[fields[3]].Trim())))
            {
                throw line.Error($"user {id} is listed twice");
            }
        }
        return users;
    }

    /// <summary>Rows in file order to the row-major matrix in index order.</summary>
    private static float[] Reorder(List<string> ids, List<float[]> rows, Dictionary<string, int> index, int width)
    {
        var matrix = new float[ids.Count * width];
        for (var i = 0; i < ids.Count; i++)
        {
            rows[i].CopyTo(matrix.AsSpan(index[ids[i]] * width, width));
        }
        return matrix;
    }
}
