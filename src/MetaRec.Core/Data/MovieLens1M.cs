using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// Reads a MovieLens 1M folder of <c>::</c>-separated files, read as Latin-1 (titles hold
/// non-UTF-8 bytes): <c>ratings.dat</c> (<c>UserID::MovieID::Rating::Timestamp</c>, rating 1-5),
/// <c>users.dat</c> (<c>UserID::Gender::Age::Occupation::Zip-code</c>, Age one of the bucket codes
/// 1, 18, 25, 35, 45, 50, 56 and Occupation a code 0-20) and <c>movies.dat</c>
/// (<c>MovieID::Title::Genres</c>, genres <c>|</c>-separated). User fields: age bucket (indices
/// 1-7), gender (distinct values sorted) and occupation (code + 1, cardinality 22); 0 = unknown.
/// Item features: multi-hot genres, names sorted ordinally.
/// </summary>
public static class MovieLens1M
{
    public const string RatingsFile = "ratings.dat";
    public const string UsersFile = "users.dat";
    public const string ItemsFile = "movies.dat";

    private const string Format = "MovieLens 1M";
    private const string Separator = "::";
    private const string SeparatorName = "'::'";
    private const int OccupationCodes = 21;

    public static InteractionDataset Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var items = ReadItems(DatasetFiles.Require(folder, ItemsFile, Format));
        var users = ReadUsers(DatasetFiles.Require(folder, UsersFile, Format));
        var userIds = ExternalIds.Order(users.Keys);
        var itemIds = ExternalIds.Order(items.Ids);
        var userIndex = ExternalIds.IndexOf(userIds);
        var itemIndex = ExternalIds.IndexOf(itemIds);
        var raw = DelimitedRatings.Read(
            DatasetFiles.Require(folder, RatingsFile, Format), Separator, SeparatorName, (userIndex, UsersFile), (itemIndex, ItemsFile));
        var (genreNames, itemFeatures) = GenreFeatures.MultiHot(items.Ids, items.Genres, itemIndex);

        var (genders, genderCardinality) = CategoricalField.Encode([.. userIds.Select(u => users[u].Gender)]);
        var userFields = new int[userIds.Length * 3];
        for (var u = 0; u < userIds.Length; u++)
        {
            var user = users[userIds[u]];
            userFields[(u * 3) + 0] = user.AgeBucket;
            userFields[(u * 3) + 1] = genders[u];
            userFields[(u * 3) + 2] = user.Occupation + 1;
        }

        return new InteractionDataset(
            DatasetFiles.NameOf(folder),
            userIds,
            itemIds,
            raw.Encode(userIndex, itemIndex),
            hasRatings: true,
            genreNames,
            itemFeatures,
            ["age", "gender", "occupation"],
            [AgeBuckets.Cardinality, genderCardinality, OccupationCodes + 1],
            userFields);
    }

    private static ItemGenres ReadItems(string path)
    {
        var items = new ItemGenres();
        Span<Range> fields = stackalloc Range[3];
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            TextLines.Split(line, text, fields, Separator, SeparatorName);
            items.Add(line, line.ParseId(text[fields[0]], "movie id"), text[fields[2]]);
        }
        return items;
    }

    private static Dictionary<string, (int AgeBucket, string Gender, int Occupation)> ReadUsers(string path)
    {
        var users = new Dictionary<string, (int, string, int)>(StringComparer.Ordinal);
        Span<Range> fields = stackalloc Range[5];
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            TextLines.Split(line, text, fields, Separator, SeparatorName);
            var id = line.ParseId(text[fields[0]], "user id");
            var ageCode = line.ParseInt(text.AsSpan(fields[2]), "age");
            var bucket = AgeBuckets.FromCode(ageCode);
            if (bucket < 0)
            {
                throw line.Error($"age {ageCode} is not a MovieLens 1M age code (1, 18, 25, 35, 45, 50, 56)");
            }
            var occupation = line.ParseInt(text.AsSpan(fields[3]), "occupation");
            if (occupation is < 0 or >= OccupationCodes)
            {
                throw line.Error($"occupation {occupation} is out of range [0, {OccupationCodes - 1}]");
            }
            if (!users.TryAdd(id, (bucket, text[fields[1]].Trim(), occupation)))
            {
                throw line.Error($"user {id} is listed twice");
            }
        }
        return users;
    }
}
