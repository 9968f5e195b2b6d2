using MetaRec.Abstractions;
using MetaRec.Storage.Registry;

namespace MetaRec.Functions.Serving;

/// <summary>
/// One loaded model version and what serving needs around it: the item-id index, the cold
/// user's fields and the size of a user state. Reference counted: the provider holds one
/// reference while the version is active, each request holds one while it runs, and the model
/// is disposed when the last reference goes, so a hot swap never pulls weights from under a
/// request.
/// </summary>
public sealed class ServedModel
{
    private readonly Dictionary<string, int> _itemIndex;
    private int _references = 1;

    internal ServedModel(ModelManifest manifest, IRecModel model)
    {
        Manifest = manifest;
        Model = model;
        var schema = model.Catalogue.Schema;
        if (manifest.ItemIds.Count != schema.ItemCount)
        {
            throw new InvalidDataException(
                $"{manifest.Family}/{manifest.Version}: the manifest lists {manifest.ItemIds.Count} item ids, the model has {schema.ItemCount} items " +
                "(register checkpoints written by this version of `metarec train`, which records the ids)");
        }
        _itemIndex = new Dictionary<string, int>(schema.ItemCount, StringComparer.Ordinal);
        for (var i = 0; i < manifest.ItemIds.Count; i++)
        {
            _itemIndex.Add(manifest.ItemIds[i], i);
        }
        AllItems = [.. Enumerable.Range(0, schema.ItemCount)];
        ColdUserFields = new int[schema.UserFieldCount]; // 0 = unknown in every field
        // The size of a state this version produces, from a refresh on one example.
        StateSize = model.Adapt(new UserTask("probe", ColdUserFields, [new Example(0, 1f, 5f)], [])).Values.Length;
        // The cold user's full ranking is the same for every user with no state and nothing seen:
        // computed once per version (this also warms families that cache item-side work).
        var cold = model.Score(ColdUserFields, null, AllItems);
        ColdScores = cold;
        ColdRanking = [.. AllItems.OrderByDescending(i => cold[i]).ThenBy(i => i)];
    }

    /// <summary>Scores of the cold path over the whole catalogue.</summary>
    public float[] ColdScores { get; }

    /// <summary>Item rows by descending cold score (ties by row).</summary>
    public int[] ColdRanking { get; }

    public ModelManifest Manifest { get; }

    public string Version => Manifest.Version;

    public IRecModel Model { get; }

    public int[] AllItems { get; }

    /// <summary>Users are served without profile features: the events carry none.</summary>
    public int[] ColdUserFields { get; }

    public int StateSize { get; }

    public IReadOnlyList<string> ItemIds => Manifest.ItemIds;

    public bool TryGetItem(string itemId, out int row) => _itemIndex.TryGetValue(itemId, out row);

    /// <summary>Rows of <paramref name="itemIds"/>, and the ids this version does not know.</summary>
    public (int[] Rows, IReadOnlyList<string> Unknown) Resolve(IReadOnlyList<string> itemIds)
    {
        var rows = new int[itemIds.Count];
        var unknown = new List<string>();
        for (var i = 0; i < itemIds.Count; i++)
        {
            if (!_itemIndex.TryGetValue(itemIds[i], out rows[i]))
            {
                unknown.Add(itemIds[i]);
            }
        }
        return (rows, unknown);
    }

    internal bool TryAddReference()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Model.Dispose();
        }
    }
}

/// <summary>A request's hold on a <see cref="ServedModel"/>; dispose it when the request is done.</summary>
public readonly struct ModelLease(ServedModel model) : IDisposable
{
    public ServedModel Model { get; } = model;

    public void Dispose() => Model.Release();
}
