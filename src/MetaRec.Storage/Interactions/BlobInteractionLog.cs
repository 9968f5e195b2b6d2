using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace MetaRec.Storage.Interactions;

/// <summary>
/// The log as append blobs, one per UTC day. Each batch of a day is one append block (atomic,
/// at most 4 MiB), so concurrent writers never interleave lines; larger batches are split at
/// line boundaries. An append is one request: the day's blob (and the container, once per log
/// instance) is created only when an append finds it missing.
/// </summary>
public sealed class BlobInteractionLog(BlobContainerClient container, TimeProvider? time = null) : InteractionLogBase(time ?? TimeProvider.System)
{
    private const int MaxBlock = 4 * 1024 * 1024;
    private const int NotFound = 404;

    private readonly CreateOnce _created = new(cancellation => container.CreateIfNotExistsAsync(cancellationToken: cancellation));

    protected override async Task AppendAsync(DateOnly day, byte[] lines, CancellationToken cancellation)
    {
        var blob = container.GetAppendBlobClient(PartitionName(day));
        var start = 0;
        while (start < lines.Length)
        {
            var end = Math.Min(lines.Length, start + MaxBlock);
            if (end < lines.Length)
            {
                end = Array.LastIndexOf(lines, (byte)'\n', end - 1, end - start) + 1;
                if (end <= start)
                {
                    throw new ArgumentException("one interaction line exceeds the 4 MiB append block");
                }
            }
            await AppendBlockAsync(blob, lines, start, end - start, cancellation).ConfigureAwait(false);
            start = end;
        }
    }

    protected override async Task AppendTombstoneAsync(byte[] line, CancellationToken cancellation)
    {
        await AppendBlockAsync(container.GetAppendBlobClient(TombstonesName), line, 0, line.Length, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends one block; when the blob (or the container) is not there yet, creates it and
    /// appends again. A refused append appended nothing, so the retry adds the lines once.
    /// </summary>
    private async Task AppendBlockAsync(AppendBlobClient blob, byte[] content, int start, int count, CancellationToken cancellation)
    {
        try
        {
            using var block = new MemoryStream(content, start, count, writable: false);
            await blob.AppendBlockAsync(block, cancellationToken: cancellation).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            if (e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                await _created.EnsureAsync(cancellation).ConfigureAwait(false);
            }
            await blob.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            using var block = new MemoryStream(content, start, count, writable: false);
            await blob.AppendBlockAsync(block, cancellationToken: cancellation).ConfigureAwait(false);
        }
    }

    protected override async Task<byte[]> ReadTombstoneBytesAsync(CancellationToken cancellation)
    {
        try
        {
            var content = await container.GetBlobClient(TombstonesName).DownloadContentAsync(cancellation).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return [];
        }
    }

    protected override async Task<IReadOnlyList<DateOnly>> ListDaysAsync(CancellationToken cancellation)
    {
        var days = new List<DateOnly>();
        if (!await container.ExistsAsync(cancellation).ConfigureAwait(false))
        {
            return days;
        }
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "interactions/", cancellation).ConfigureAwait(false))
        {
            var name = Path.GetFileNameWithoutExtension(item.Name);
            if (DateOnly.TryParseExact(name, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                days.Add(day);
            }
        }
        return days;
    }

    protected override async Task<byte[]> ReadPrefixAsync(DateOnly day, long bytes, CancellationToken cancellation)
    {
        var blob = container.GetBlobClient(PartitionName(day));
        try
        {
            var options = bytes == long.MaxValue ? new BlobDownloadOptions() : new BlobDownloadOptions { Range = new HttpRange(0, bytes) };
            if (bytes == 0)
            {
                return [];
            }
            var content = await blob.DownloadContentAsync(options, cancellation).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return [];
        }
    }
}
