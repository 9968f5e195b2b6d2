using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Runs;

/// <summary>
/// Runs as blobs <c>runs/{id}.json</c>: created with <c>If-None-Match: *</c>, replaced with
/// <c>If-Match</c> on the blob's ETag (a blob upload is all or nothing).
/// </summary>
public sealed class BlobRunStore(BlobContainerClient container) : IRunStore
{
    private const int NotFound = 404;
    private const int PreconditionFailed = 412;
    private const int Conflict = 409;
    private const string Prefix = "runs/";

    public async Task<RunDocument?> GetAsync(string id, CancellationToken cancellation = default)
    {
        try
        {
            var content = await Blob(id).DownloadContentAsync(cancellation).ConfigureAwait(false);
            return new RunDocument(id, content.Value.Content.ToArray(), content.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return null;
        }
    }

    public Task<RunDocument?> CreateAsync(string id, byte[] json, CancellationToken cancellation = default) =>
        UploadAsync(id, json, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellation);

    public Task<RunDocument?> TryReplaceAsync(string id, byte[] json, string etag, CancellationToken cancellation = default) =>
        UploadAsync(id, json, new BlobRequestConditions { IfMatch = new ETag(etag) }, cancellation);

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellation = default)
    {
        var ids = new List<string>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Prefix, cancellation).ConfigureAwait(false))
            {
                if (item.Name.EndsWith(".json", StringComparison.Ordinal))
                {
                    ids.Add(item.Name[Prefix.Length..^".json".Length]);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return [];
        }
        return ids;
    }

    private BlobClient Blob(string id) => container.GetBlobClient(Prefix + StorageNames.RunId(id) + ".json");

    private async Task<RunDocument?> UploadAsync(string id, byte[] json, BlobRequestConditions conditions, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(json);
        var options = new BlobUploadOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };
        try
        {
            var info = await Blob(id).UploadAsync(new BinaryData(json), options, cancellation).ConfigureAwait(false);
            return new RunDocument(id, json, info.Value.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == NotFound && e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            return await UploadAsync(id, json, conditions, cancellation).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is PreconditionFailed or Conflict)
        {
            return null;
        }
    }
}
