namespace MetaRec.Core.Data;

/// <summary>
/// One domain of sequential interactions: each user's items in time order, users and items
/// numbered from 0 (index to external id in <see cref="UserIds"/> and <see cref="ItemIds"/>),
/// with immediate repeats already dropped. Every sequence holds at least one item.
/// </summary>
public sealed class SequenceDataset
{
    public SequenceDataset(string name, IReadOnlyList<string> userIds, IReadOnlyList<string> itemIds, IReadOnlyList<int[]> sequences)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(sequences);
        UserIds = DatasetChecks.DistinctIds(userIds, nameof(userIds));
        ItemIds = DatasetChecks.DistinctIds(itemIds, nameof(itemIds));
        if (sequences.Count != UserIds.Count)
        {
            throw new ArgumentException($"{sequences.Count} sequences for {UserIds.Count} users", nameof(sequences));
        }
        for (var u = 0; u < sequences.Count; u++)
        {
            var sequence = sequences[u] ?? throw new ArgumentException($"user {UserIds[u]} has no sequence", nameof(sequences));
            if (sequence.Length == 0)
            {
                throw new ArgumentException($"user {UserIds[u]} has an empty sequence", nameof(sequences));
            }
            foreach (var item in sequence)
            {
                if ((uint)item >= (uint)ItemIds.Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(sequences), $"user {UserIds[u]}: item index {item} is outside [0, {ItemIds.Count})");
                }
            }
        }
        Name = name;
        Sequences = [.. sequences];
    }

    /// <summary>A short name for reports: the file name without its extension.</summary>
    public string Name { get; }

    /// <summary>External user id of each user index.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>External item id of each item index.</summary>
    public IReadOnlyList<string> ItemIds { get; }

    /// <summary>Each user's item indices in time order, one array per user index.</summary>
    public IReadOnlyList<int[]> Sequences { get; }

    public int UserCount => UserIds.Count;

    public int ItemCount => ItemIds.Count;

    /// <summary>Interactions after immediate repeats were dropped.</summary>
    public long InteractionCount => Sequences.Sum(s => (long)s.Length);
}
