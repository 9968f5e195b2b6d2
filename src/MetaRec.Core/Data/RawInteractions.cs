namespace MetaRec.Core.Data;

/// <summary>Interactions as read, with external ids, until users and items are numbered.</summary>
internal sealed class RawInteractions
{
    private readonly List<string> _users = [];
    private readonly List<string> _items = [];
    private readonly List<float> _ratings = [];
    private readonly List<long> _timestamps = [];

    public int Count => _users.Count;

    public IEnumerable<string> Users => _users;

    public void Add(string user, string item, float rating, long timestamp)
    {
        _users.Add(user);
        _items.Add(item);
        _ratings.Add(rating);
        _timestamps.Add(timestamp);
    }

    /// <summary>Encodes every row; the readers have already checked that every id is known.</summary>
    public Interaction[] Encode(IReadOnlyDictionary<string, int> users, IReadOnlyDictionary<string, int> items)
    {
        var encoded = new Interaction[Count];
        for (var i = 0; i < encoded.Length; i++)
        {
            encoded[i] = new Interaction(users[_users[i]], items[_items[i]], _ratings[i], _timestamps[i]);
        }
        return encoded;
    }
}
