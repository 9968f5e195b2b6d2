namespace MetaRec.Core.Data;

/// <summary>Column positions of a <see cref="GenericCsv"/> file, found from its header.</summary>
internal sealed record GenericCsvHeader(int Width, int User, int Item, int Value, bool IsLabel, int? Timestamp)
{
    public const string Expected = "user_id, item_id, rating or label, and optionally timestamp";

    public static GenericCsvHeader Parse(SourceLine line, string[] fields)
    {
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < fields.Length; i++)
        {
            var name = fields[i].Trim();
            if (name.Length > 0 && !columns.TryAdd(name, i))
            {
                throw line.Error($"column '{name}' appears twice in the header");
            }
        }
        var found = $"found '{string.Join(',', fields)}'";
        int Require(string name) =>
            columns.TryGetValue(name, out var index)
                ? index
                : throw line.Error($"the header has no '{name}' column; expected {Expected}, {found}");

        var user = Require(GenericCsv.UserColumn);
        var item = Require(GenericCsv.ItemColumn);
        var hasRating = columns.TryGetValue(GenericCsv.RatingColumn, out var rating);
        var hasLabel = columns.TryGetValue(GenericCsv.LabelColumn, out var label);
        if (hasRating == hasLabel)
        {
            throw line.Error(hasRating
                ? $"the header has both 'rating' and 'label'; keep one, {found}"
                : $"the header has neither 'rating' nor 'label'; expected {Expected}, {found}");
        }
        int? timestamp = columns.TryGetValue(GenericCsv.TimestampColumn, out var t) ? t : null;
        return new GenericCsvHeader(fields.Length, user, item, hasRating ? rating : label, hasLabel, timestamp);
    }
}
