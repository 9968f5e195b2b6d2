using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// Reads a MovieLens "latest" folder (e.g. ml-latest-small): <c>ratings.csv</c>
/// (<c>userId,movieId,rating,timestamp</c>, ratings 0.5-5) and <c>movies.csv</c>
/// (<c>movieId,title,genres</c>, RFC 4180 quoting, genres <c>|</c>-separated,
/// <c>(no genres listed)</c> meaning none), both UTF-8 with a header. Items are the movies of
/// <c>movies.csv</c>, users those that rated; no user fields. Item features: multi-hot genres,
/// names sorted ordinally.
/// </summary>
public static class MovieLensLatest
{
    public const string RatingsFile = "ratings.csv";
    public const string ItemsFile = "movies.csv";

    private const string Format = "MovieLens latest";
    private static readonly string[] RatingsHeader = ["userId", "movieId", "rating", "timestamp"];
    private static readonly string[] ItemsHeader = ["movieId", "title", "genres"];

    public static InteractionDataset Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var items = ReadItems(DatasetFiles.Require(folder, ItemsFile, Format));
        var raw = ReadRatings(DatasetFiles.Require(folder, RatingsFile, Format), items);
        var userIds = ExternalIds.Order(raw.Users);
        var itemIds = ExternalIds.Order(items.Ids);
        var userIndex = ExternalIds.IndexOf(userIds);
        var itemIndex = ExternalIds.IndexOf(itemIds);
        var (genreNames, itemFeatures) = GenreFeatures.MultiHot(items.Ids, items.Genres, itemIndex);
        return new InteractionDataset(
            DatasetFiles.NameOf(folder),
            userIds,
            itemIds,
            raw.Encode(userIndex, itemIndex),
            hasRatings: true,
            genreNames,
            itemFeatures,
            [],
            [],
            []);
    }

    private static ItemGenres ReadItems(string path)
    {
        var items = new ItemGenres();
        var header = true;
        foreach (var (line, fields) in CsvRecords.Read(path, Encoding.UTF8))
        {
            if (header)
            {
                ExpectHeader(line, fields, ItemsHeader);
                header = false;
                continue;
            }
            CsvRecords.RequireFieldCount(line, fields, ItemsHeader.Length);
            items.Add(line, line.ParseId(fields[0], "movie id"), fields[2]);
        }
        return items;
    }

    private static RawInteractions ReadRatings(string path, ItemGenres items)
    {
        var raw = new RawInteractions();
        var header = true;
        foreach (var (line, fields) in CsvRecords.Read(path, Encoding.UTF8))
        {
            if (header)
            {
                ExpectHeader(line, fields, RatingsHeader);
                header = false;
                continue;
            }
            CsvRecords.RequireFieldCount(line, fields, RatingsHeader.Length);
            var user = line.ParseId(fields[0], "user id");
            var item = line.ParseId(fields[1], "movie id");
            var rating = line.ParseRating(fields[2], 0.5f, 5f);
            var timestamp = line.ParseLong(fields[3], "timestamp");
            if (!items.Contains(item))
            {
                throw line.Error($"movie {item} is not in {ItemsFile}");
            }
            raw.Add(user, item, rating, timestamp);
        }
        return raw;
    }

    private static void ExpectHeader(SourceLine line, string[] fields, string[] expected)
    {
        if (!fields.Select(f => f.Trim()).SequenceEqual(expected, StringComparer.OrdinalIgnoreCase))
        {
            throw line.Error($"expected the header '{string.Join(',', expected)}', found '{string.Join(',', fields)}'");
        }
    }
}
