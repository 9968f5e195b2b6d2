using Azure;
using Azure.Storage.Blobs;

namespace MetaRec.Storage.Snapshots;

/// <summary>
/// Snapshots as blobs <c>snapshots/{run}/data/{file}</c>, <c>snapshots/{run}/contents.json</c> and
/// <c>snapshots/{run}/manifest.json</c> (a blob upload is all or nothing). The container is
/// created before the first upload, once per store instance.
/// </summary>
public sealed class BlobSnapshotStore(BlobContainerClient container) : SnapshotStoreBase
{
    private const int NotFound = 404;

    private readonly CreateOnce _created = new(cancellation => container.CreateIfNotExistsAsync(cancellationToken: cancellation));

    protected override async Task UploadFileAsync(string runId, string name, string localPath, CancellationToken cancellation)
    {
        await _created.EnsureAsync(cancellation).ConfigureAwait(false);
        await using var source = File.OpenRead(localPath);
        await container.GetBlobClient(DataBlob(runId, name)).UploadAsync(source, overwrite: true, cancellation).ConfigureAwait(false);
    }

    protected override async Task DownloadFileAsync(string runId, string name, string localPath, CancellationToken cancellation)
    {
        try
        {
            await container.GetBlobClient(DataBlob(runId, name)).DownloadToAsync(localPath, cancellation).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            throw new FileNotFoundException($"run {runId}'s data snapshot lacks {name}", DataBlob(runId, name), e);
        }
    }

    protected override async Task WriteAsync(string runId, string name, byte[] content, CancellationToken cancellation)
    {
        await _created.EnsureAsync(cancellation).ConfigureAwait(false);
        await container.GetBlobClient($"snapshots/{runId}/{name}").UploadAsync(new BinaryData(content), overwrite: true, cancellation).ConfigureAwait(false);
    }

    protected override async Task<byte[]?> ReadAsync(string runId, string name, CancellationToken cancellation)
    {
        try
        {
            var content = await container.GetBlobClient($"snapshots/{runId}/{name}").DownloadContentAsync(cancellation).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return null;
        }
    }

    private static string DataBlob(string runId, string name) => $"snapshots/{runId}/data/{name}";
}
