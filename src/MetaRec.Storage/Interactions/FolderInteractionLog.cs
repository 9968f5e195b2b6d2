using System.Globalization;

namespace MetaRec.Storage.Interactions;

/// <summary>
/// The log as files, <c>interactions/{yyyy-MM-dd}.jsonl</c> (the embedded default). Each batch
/// of a day is one write under an exclusive lock file, so concurrent writers, threads or
/// processes, never interleave or overwrite lines.
/// </summary>
public sealed class FolderInteractionLog(string root, TimeProvider? time = null) : InteractionLogBase(time ?? TimeProvider.System)
{
    private readonly string _root = Path.GetFullPath(root);

    protected override async Task AppendAsync(DateOnly day, byte[] lines, CancellationToken cancellation)
    {
        var path = Path.Combine(_root, PartitionName(day));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // FileMode.Append seeks to the end at open (it is not O_APPEND): without the lock two
        // writers would write at the same offset and lose lines.
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await file.WriteAsync(lines, cancellation).ConfigureAwait(false);
        await file.FlushAsync(cancellation).ConfigureAwait(false);
    }

    protected override async Task AppendTombstoneAsync(byte[] line, CancellationToken cancellation)
    {
        var path = Path.Combine(_root, TombstonesName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await file.WriteAsync(line, cancellation).ConfigureAwait(false);
        await file.FlushAsync(cancellation).ConfigureAwait(false);
    }

    protected override async Task<byte[]> ReadTombstoneBytesAsync(CancellationToken cancellation)
    {
        var path = Path.Combine(_root, TombstonesName);
        if (!File.Exists(path))
        {
            return [];
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[file.Length];
        await file.ReadExactlyAsync(buffer, cancellation).ConfigureAwait(false);
        return buffer;
    }

    protected override Task<IReadOnlyList<DateOnly>> ListDaysAsync(CancellationToken cancellation)
    {
        var folder = Path.Combine(_root, "interactions");
        IReadOnlyList<DateOnly> days = Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "*.jsonl")
                .Select(f => DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(f), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : (DateOnly?)null)
                .OfType<DateOnly>()]
            : [];
        return Task.FromResult(days);
    }

    protected override async Task<byte[]> ReadPrefixAsync(DateOnly day, long bytes, CancellationToken cancellation)
    {
        var path = Path.Combine(_root, PartitionName(day));
        if (!File.Exists(path))
        {
            return [];
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = (int)Math.Min(bytes, file.Length);
        var buffer = new byte[length];
        await file.ReadExactlyAsync(buffer, cancellation).ConfigureAwait(false);
        return buffer;
    }
}
