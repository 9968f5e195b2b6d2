using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// The MovieLens 100K and 1M ratings files: <c>user item rating timestamp</c> with a fixed
/// separator, whole-star ratings 1-5, and users and items that the other files define.
/// </summary>
internal static class DelimitedRatings
{
    public static RawInteractions Read(
        string path,
        string separator,
        string separatorName,
        (IReadOnlyDictionary<string, int> Index, string File) users,
        (IReadOnlyDictionary<string, int> Index, string File) items)
    {
        var raw = new RawInteractions();
        Span<Range> fields = stackalloc Range[4];
        foreach (var (line, text) in TextLines.Read(path, Encoding.Latin1))
        {
            TextLines.Split(line, text, fields, separator, separatorName);
            var user = line.ParseId(text[fields[0]], "user id");
            var item = line.ParseId(text[fields[1]], "item id");
            var rating = line.ParseInt(text.AsSpan(fields[2]), "rating");
            if (rating is < 1 or > 5)
            {
                throw line.Error($"rating {rating} is out of range [1, 5]");
            }
            var timestamp = line.ParseLong(text.AsSpan(fields[3]), "timestamp");
            if (!users.Index.ContainsKey(user))
            {
                throw line.Error($"user {user} is not in {users.File}");
            }
            if (!items.Index.ContainsKey(item))
            {
                throw line.Error($"item {item} is not in {items.File}");
            }
            raw.Add(user, item, rating, timestamp);
        }
        return raw;
    }
}
