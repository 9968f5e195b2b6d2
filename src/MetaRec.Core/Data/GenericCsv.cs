using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// Reads one comma-separated file (RFC 4180 quoting, UTF-8) whose header names, in any order and
/// any letter case, <c>user_id</c>, <c>item_id</c>, exactly one of <c>rating</c> (any finite number)
/// or <c>label</c> (0 or 1), and optionally <c>timestamp</c> (an integer; without it the row's
/// position in the file orders time). Other columns are ignored. A <c>label</c> file is label-only:
/// the label is stored as the rating and <see cref="InteractionDataset.HasRatings"/> is false.
/// Users and items are the ids that occur; no item or user features.
/// </summary>
public static class GenericCsv
{
    public const string UserColumn = "user_id";
    public const string ItemColumn = "item_id";
    public const string RatingColumn = "rating";
    public const string LabelColumn = "label";
    public const string TimestampColumn = "timestamp";

    public static InteractionDataset Read(string file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Generic CSV: file '{file}' does not exist.", file);
        }
        var raw = new RawInteractions();
        var items = new List<string>();
        GenericCsvHeader? header = null;
        long row = 0;
        foreach (var (line, fields) in CsvRecords.Read(file, Encoding.UTF8))
        {
            if (header is null)
            {
                header = GenericCsvHeader.Parse(line, fields);
                continue;
            }
            CsvRecords.RequireFieldCount(line, fields, header.Width);
            var user = line.ParseId(fields[header.User], "user id");
            var item = line.ParseId(fields[header.Item], "item id");
            var value = header.IsLabel ? ParseLabel(line, fields[header.Value]) : line.ParseFloat(fields[header.Value], "rating");
            var timestamp = header.Timestamp is { } t ? line.ParseLong(fields[t], "timestamp") : row;
            raw.Add(user, item, value, timestamp);
            items.Add(item);
            row++;
        }
        if (header is null)
        {
            throw new DataFormatException(file, 1, $"the file is empty; expected a header naming {GenericCsvHeader.Expected}");
        }

        var userIds = ExternalIds.Order(raw.Users);
        var itemIds = ExternalIds.Order(items);
        var userIndex = ExternalIds.IndexOf(userIds);
        var itemIndex = ExternalIds.IndexOf(itemIds);
        return new InteractionDataset(
            Path.GetFileNameWithoutExtension(file),
            userIds,
            itemIds,
            raw.Encode(userIndex, itemIndex),
            hasRatings: !header.IsLabel,
            [],
            [],
            [],
            [],
            []);
    }

    private static float ParseLabel(SourceLine line, string text)
    {
        var label = line.ParseFloat(text, "label");
        return label is 0f or 1f ? label : throw line.Error($"label must be 0 or 1, found '{text}'");
    }
}
