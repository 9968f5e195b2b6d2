using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Storage.Interactions;

namespace MetaRec.Pipeline.Snapshots;

/// <summary>
/// Builds a training run's data: the base dataset, if any, plus every event of the interaction
/// log up to the run's watermark, written as one <see cref="DatasetFolder"/> that
/// <see cref="DatasetReader"/> and <c>metarec train</c> read. The caller then stores the folder
/// with <see cref="TrainingData.ToSnapshot"/> as its manifest (<c>ISnapshotStore.PutAsync</c>).
/// <list type="bullet">
/// <item>Events are those of <see cref="IInteractionLog.ReadAsync"/> for the watermark: deduplicated
/// by event id (the first is kept), none appended after it.</item>
/// <item>Ids are external ids: a logged user or item that the base has is that user or item.
/// A new user is added with every user field 0 (unknown). A new item is added with every
/// feature 0, except when the base has a catalogue (item features): then it is left out and
/// counted, unless <see cref="TrainingDataOptions.AddItemsMissingFromCatalogue"/>.</item>
/// <item>Ratings are taken as logged. Label-only data (a label-only base, or a log alone whose
/// ratings are all 0 or 1) keeps only 0/1 events; the rest are counted as invalid, as are ids
/// with control characters.</item>
/// <item>Deleted users (<see cref="IInteractionLog.ReadTombstonesAsync"/>, read when the data is
/// built, so a deletion after the run's watermark still counts): their logged events stamped at or
/// before the deletion are left out, and so are their base users, with their fields and
/// interactions (a base predates every deletion). Events stamped after the deletion are kept: a
/// new relationship, as a new user.</item>
/// <item>Order: the base's users, items and interactions in its order, then the logged ones by
/// timestamp, then event id. The same base and watermark give the same bytes and fingerprint.</item>
/// </list>
/// </summary>
public sealed class TrainingDataBuilder(IInteractionLog log, TrainingDataOptions? options = null)
{
    private const string LogOnlyName = "interaction-log";

    private readonly TrainingDataOptions _options = options ?? new TrainingDataOptions();

    /// <summary>
    /// Writes the combined dataset into <paramref name="folder"/> (created if needed; it must hold
    /// no other files, since the snapshot copies every file there) and returns its counts and fingerprint.
    /// </summary>
    /// <param name="basePath">The base dataset, in any format <see cref="DatasetReader"/> reads; null for the log alone.</param>
    /// <param name="watermark">The log snapshot taken at the run's start (<see cref="IInteractionLog.SnapshotAsync"/>).</param>
    /// <param name="folder">Where to write the dataset.</param>
    /// <param name="cancellation">Stops reading the log.</param>
    /// <exception cref="InvalidOperationException">No base dataset and no logged events: there is nothing to train on.</exception>
    /// <exception cref="IOException"><paramref name="folder"/> holds other files.</exception>
    public async Task<TrainingData> BuildAsync(string? basePath, SnapshotManifest watermark, string folder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(watermark);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        CheckFolder(folder);
        var original = basePath is null ? null : DatasetReader.Read(basePath);
        var tombstones = await log.ReadTombstonesAsync(cancellation).ConfigureAwait(false);
        var (baseData, erasedUsers) = original is null ? (null, 0) : WithoutDeletedUsers(original, tombstones);
        var events = new List<InteractionEvent>();
        var erasedEvents = 0;
        var deletedAt = new Dictionary<string, long?>(StringComparer.Ordinal);
        await foreach (var e in log.ReadAsync(watermark, cancellation).ConfigureAwait(false))
        {
            if (tombstones.Count > 0)
            {
                if (!deletedAt.TryGetValue(e.UserId, out var deleted))
                {
                    deletedAt[e.UserId] = deleted = tombstones.DeletedAt(e.UserId);
                }
                if (e.Timestamp <= deleted)
                {
                    erasedEvents++;
                    continue;
                }
            }
            events.Add(e);
        }
        if (baseData is null && events.Count == 0)
        {
            throw new InvalidOperationException(
                $"no base dataset and no logged events up to the watermark ({watermark.Parts.Count} log partitions): there is nothing to train on. Name a base dataset, or post events first.");
        }
        events.Sort((a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : string.CompareOrdinal(a.EventId, b.EventId));

        var merged = new MergedData(baseData, events, _options.AddItemsMissingFromCatalogue);
        var dataset = merged.ToDataset(baseData?.Name ?? LogOnlyName);
        DatasetFolder.Write(dataset, folder);
        var sources = new DataSources(
            basePath is null ? null : Path.GetFullPath(basePath),
            original is null ? null : DatasetFingerprint.Compute(original),
            baseData?.Interactions.Count ?? 0,
            new LogWatermark(watermark.Fingerprint, watermark.TakenUtc, watermark.Events, watermark.Duplicates, [.. watermark.Parts.Select(p => new LogWatermarkPart(p.Day, p.Bytes))]),
            events.Count + erasedEvents,
            merged.LogInteractions,
            watermark.Duplicates,
            merged.UnknownItems,
            merged.Invalid,
            merged.NewUsers,
            merged.NewItems)
        {
            ErasedEvents = erasedEvents,
            ErasedBaseUsers = erasedUsers,
            ErasedBaseInteractions = (original?.Interactions.Count ?? 0) - (baseData?.Interactions.Count ?? 0),
        };
        return new TrainingData(Path.GetFullPath(folder), DatasetFingerprint.Compute(dataset), dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count, sources);
    }

    /// <summary>The base without the users that have a tombstone: their ids, fields and interactions; the base itself when there are none.</summary>
    private static (InteractionDataset Data, int Erased) WithoutDeletedUsers(InteractionDataset data, UserTombstones tombstones)
    {
        if (tombstones.Count == 0)
        {
            return (data, 0);
        }
        var renumbered = new int[data.UserCount];
        var ids = new List<string>(data.UserCount);
        var fields = new List<int>(data.UserFields.Length);
        for (var user = 0; user < data.UserCount; user++)
        {
            if (tombstones.DeletedAt(data.UserIds[user]) is not null)
            {
                renumbered[user] = -1;
                continue;
            }
            renumbered[user] = ids.Count;
            ids.Add(data.UserIds[user]);
            fields.AddRange(data.UserFieldsOf(user));
        }
        if (ids.Count == data.UserCount)
        {
            return (data, 0);
        }
        var interactions = data.Interactions.Where(i => renumbered[i.User] >= 0).Select(i => i with { User = renumbered[i.User] }).ToList();
        return (new InteractionDataset(data.Name, ids, data.ItemIds, interactions, data.HasRatings, data.ItemFeatureNames, data.ItemFeatures,
            data.UserFieldNames, data.UserFieldCardinalities, [.. fields]), data.UserCount - ids.Count);
    }

    private static void CheckFolder(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }
        var other = Directory.EnumerateFileSystemEntries(folder)
            .Select(entry => Path.GetFileName(entry))
            .FirstOrDefault(name => !DatasetFolder.Files.Contains(name, StringComparer.Ordinal));
        if (other is not null)
        {
            throw new IOException($"'{folder}' holds '{other}', which is not part of the dataset; the snapshot would copy it. Build into an empty folder.");
        }
    }

    /// <summary>The base's users, items and interactions with the logged ones appended.</summary>
    private sealed class MergedData
    {
        private readonly List<string> _userIds;
        private readonly List<string> _itemIds;
        private readonly Dictionary<string, int> _users;
        private readonly Dictionary<string, int> _items;
        private readonly List<Interaction> _interactions;
        private readonly InteractionDataset? _base;
        private readonly bool _hasRatings;

        public MergedData(InteractionDataset? baseData, IReadOnlyList<InteractionEvent> events, bool addMissingItems)
        {
            _base = baseData;
            _userIds = [.. baseData?.UserIds ?? []];
            _itemIds = [.. baseData?.ItemIds ?? []];
            _users = Index(_userIds);
            _items = Index(_itemIds);
            _interactions = [.. baseData?.Interactions ?? []];
            _hasRatings = baseData?.HasRatings ?? !events.All(e => e.Rating is 0f or 1f);
            var addItems = baseData is not { ItemFeatureCount: > 0 } || addMissingItems;
            foreach (var e in events)
            {
                if ((!_hasRatings && e.Rating is not (0f or 1f)) || e.UserId.Any(char.IsControl) || e.ItemId.Any(char.IsControl))
                {
                    Invalid++;
                    continue;
                }
                if (!_items.ContainsKey(e.ItemId) && !addItems)
                {
                    UnknownItems++;
                    continue;
                }
                _interactions.Add(new Interaction(IndexOf(e.UserId, _users, _userIds), IndexOf(e.ItemId, _items, _itemIds), e.Rating, e.Timestamp));
                LogInteractions++;
            }
            NewUsers = _userIds.Count - (baseData?.UserCount ?? 0);
            NewItems = _itemIds.Count - (baseData?.ItemCount ?? 0);
        }

        public int LogInteractions { get; }

        public int UnknownItems { get; }

        public int Invalid { get; }

        public int NewUsers { get; }

        public int NewItems { get; }

        public InteractionDataset ToDataset(string name)
        {
            // New users' fields are 0 (unknown) and new items' features 0: the arrays grow with zeros.
            var features = new float[_itemIds.Count * (_base?.ItemFeatureCount ?? 0)];
            _base?.ItemFeatures.CopyTo(features, 0);
            var fields = new int[_userIds.Count * (_base?.UserFieldCount ?? 0)];
            _base?.UserFields.CopyTo(fields, 0);
            return new InteractionDataset(
                name,
                _userIds,
                _itemIds,
                _interactions,
                _hasRatings,
                _base?.ItemFeatureNames ?? [],
                features,
                _base?.UserFieldNames ?? [],
                _base?.UserFieldCardinalities ?? [],
                fields);
        }

        private static Dictionary<string, int> Index(List<string> ids)
        {
            var index = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
            for (var i = 0; i < ids.Count; i++)
            {
                index.Add(ids[i], i);
            }
            return index;
        }

        private static int IndexOf(string id, Dictionary<string, int> index, List<string> ids)
        {
            if (!index.TryGetValue(id, out var i))
            {
                i = ids.Count;
                index.Add(id, i);
                ids.Add(id);
            }
            return i;
        }
    }
}
