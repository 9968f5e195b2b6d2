namespace MetaRec.Core.Data;

/// <summary>Items as read from a movies file: ids and genre lists in file order, ids unique.</summary>
internal sealed class ItemGenres
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public List<string> Ids { get; } = [];

    public List<string[]> Genres { get; } = [];

    public void Add(SourceLine line, string id, string genres)
    {
        if (!_seen.Add(id))
        {
            throw line.Error($"item {id} is listed twice");
        }
        Ids.Add(id);
        Genres.Add(GenreFeatures.Split(genres));
    }

    public bool Contains(string id) => _seen.Contains(id);
}
