using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Interactions;

/// <summary>
/// The log's behaviour over partition primitives (append bytes, length, read a prefix): events
/// are JSON lines; a snapshot records each partition's length at that moment, keeping only
/// whole lines, so what a snapshot reads never changes while appends continue.
/// </summary>
public abstract class InteractionLogBase(TimeProvider time) : IInteractionLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<int> AppendAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            e.Validate();
        }
        foreach (var day in events.GroupBy(e => e.Day))
        {
            var lines = new StringBuilder();
            foreach (var e in day.DistinctBy(e => e.EventId))
            {
                lines.Append(JsonSerializer.Serialize(e, Json)).Append('\n');
            }
            await AppendAsync(day.Key, Encoding.UTF8.GetBytes(lines.ToString()), cancellation).ConfigureAwait(false);
        }
        return events.DistinctBy(e => e.EventId).Count();
    }

    public async Task<SnapshotManifest> SnapshotAsync(CancellationToken cancellation = default)
    {
        var parts = new List<SnapshotPart>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long events = 0, duplicates = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var day in (await ListDaysAsync(cancellation).ConfigureAwait(false)).Order())
        {
            // One read per partition: its whole lines are the part (a half-written last line is not in).
            var content = await ReadPrefixAsync(day, long.MaxValue, cancellation).ConfigureAwait(false);
            var whole = content.AsSpan().LastIndexOf((byte)'\n') + 1;
            if (whole == 0)
            {
                continue;
            }
            parts.Add(new SnapshotPart(day, whole));
            hash.AppendData(Encoding.UTF8.GetBytes($"{day:yyyy-MM-dd}:{whole}\n"));
            hash.AppendData(content, 0, whole);
            foreach (var e in Parse(content, whole, day))
            {
                if (seen.Add(e.EventId))
                {
                    events++;
                }
                else
                {
                    duplicates++;
                }
            }
        }
        return new SnapshotManifest(time.GetUtcNow(), parts, events, duplicates, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public async IAsyncEnumerable<InteractionEvent> ReadAsync(SnapshotManifest snapshot, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in snapshot.Parts)
        {
            var content = await ReadPrefixAsync(part.Day, part.Bytes, cancellation).ConfigureAwait(false);
            if (content.Length < part.Bytes)
            {
                throw new InvalidDataException($"interaction partition {part.Day:yyyy-MM-dd} is shorter ({content.Length} bytes) than its snapshot ({part.Bytes})");
            }
            foreach (var e in Parse(content, content.Length, part.Day))
            {
                if (seen.Add(e.EventId))
                {
                    yield return e;
                }
            }
        }
    }

    public async Task<UserTombstone> TombstoneAsync(string userId, CancellationToken cancellation = default)
    {
        var tombstone = new UserTombstone(UserTombstone.HashOf(StorageNames.UserId(userId)), time.GetUtcNow());
        await AppendTombstoneAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(tombstone, Json) + "\n"), cancellation).ConfigureAwait(false);
        return tombstone;
    }

    public async Task<UserTombstones> ReadTombstonesAsync(CancellationToken cancellation = default)
    {
        var content = await ReadTombstoneBytesAsync(cancellation).ConfigureAwait(false);
        var whole = content.AsSpan().LastIndexOf((byte)'\n') + 1; // a half-written last line is not in yet
        var tombstones = new List<UserTombstone>();
        var line = 0;
        foreach (var text in Encoding.UTF8.GetString(content, 0, whole).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            line++;
            try
            {
                tombstones.Add(JsonSerializer.Deserialize<UserTombstone>(text, Json) ?? throw new InvalidDataException($"{TombstonesName} line {line} is empty"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{TombstonesName} line {line}: {e.Message}", e);
            }
        }
        return new UserTombstones(tombstones);
    }

    protected abstract Task AppendAsync(DateOnly day, byte[] lines, CancellationToken cancellation);

    /// <summary>Appends one tombstone line to <see cref="TombstonesName"/>.</summary>
    protected abstract Task AppendTombstoneAsync(byte[] line, CancellationToken cancellation);

    /// <summary>The content of <see cref="TombstonesName"/>; empty when there is none.</summary>
    protected abstract Task<byte[]> ReadTombstoneBytesAsync(CancellationToken cancellation);

    protected abstract Task<IReadOnlyList<DateOnly>> ListDaysAsync(CancellationToken cancellation);

    /// <summary>At most the first <paramref name="bytes"/> bytes of a day's partition.</summary>
    protected abstract Task<byte[]> ReadPrefixAsync(DateOnly day, long bytes, CancellationToken cancellation);

    protected static string PartitionName(DateOnly day) => $"interactions/{day:yyyy-MM-dd}.jsonl";

    /// <summary>Where tombstones are kept, outside the day partitions: <c>tombstones/users.jsonl</c>.</summary>
    protected const string TombstonesName = "tombstones/users.jsonl";

    /// <summary>The events in the first <paramref name="length"/> bytes of a partition.</summary>
    private static IEnumerable<InteractionEvent> Parse(byte[] content, int length, DateOnly day)
    {
        var line = 0;
        foreach (var text in Encoding.UTF8.GetString(content, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            line++;
            InteractionEvent? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<InteractionEvent>(text, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{PartitionName(day)} line {line}: {e.Message}", e);
            }
            yield return parsed ?? throw new InvalidDataException($"{PartitionName(day)} line {line} is empty");
        }
    }
}
