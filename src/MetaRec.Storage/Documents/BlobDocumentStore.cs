using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace MetaRec.Storage.Documents;

/// <summary>
/// Documents as blobs named by the document's name. The ETag is the blob's: a write sends
/// <c>If-Match</c> on it, or <c>If-None-Match: *</c> to create only, and the service's refusals
/// (412 Precondition Failed; 409 for a blob that already exists) become a null result here and
/// nowhere else. The container is created on the first write that finds it missing, once per
/// store instance, so a write costs one request.
/// </summary>
public sealed class BlobDocumentStore : IEtagDocumentStore
{
    private const int NotFound = 404;
    private const int Conflict = 409;
    private const int PreconditionFailed = 412;

    private readonly BlobContainerClient _container;
    private readonly string _contentType;
    private readonly CreateOnce _created;

    /// <param name="container">Where the blobs go; created when first needed.</param>
    /// <param name="contentType">The <c>Content-Type</c> every document is stored with.</param>
    public BlobDocumentStore(BlobContainerClient container, string contentType = "application/json")
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _contentType = contentType;
        _created = new CreateOnce(cancellation => _container.CreateIfNotExistsAsync(cancellationToken: cancellation));
    }

    public async Task<EtagDocument?> ReadAsync(string name, CancellationToken cancellation = default)
    {
        try
        {
            var content = await _container.GetBlobClient(name).DownloadContentAsync(cancellation).ConfigureAwait(false);
            return new EtagDocument(content.Value.Content.ToArray(), content.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return null; // no such blob, or no container yet
        }
    }

    public async Task<string?> TryWriteAsync(string name, byte[] content, string? expectedETag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var options = new BlobUploadOptions
        {
            Conditions = expectedETag is null
                ? new BlobRequestConditions { IfNoneMatch = ETag.All }
                : new BlobRequestConditions { IfMatch = new ETag(expectedETag) },
            HttpHeaders = new BlobHttpHeaders { ContentType = _contentType },
        };
        var blob = _container.GetBlobClient(name);
        try
        {
            try
            {
                return (await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellation).ConfigureAwait(false)).Value.ETag.ToString();
            }
            catch (RequestFailedException e) when (e.Status == NotFound && e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                await _created.EnsureAsync(cancellation).ConfigureAwait(false);
                return (await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellation).ConfigureAwait(false)).Value.ETag.ToString();
            }
        }
        catch (RequestFailedException e) when (e.Status is PreconditionFailed or Conflict)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string name, string? expectedETag = null, CancellationToken cancellation = default)
    {
        var conditions = expectedETag is null ? null : new BlobRequestConditions { IfMatch = new ETag(expectedETag) };
        try
        {
            var deleted = await _container.GetBlobClient(name).DeleteIfExistsAsync(conditions: conditions, cancellationToken: cancellation).ConfigureAwait(false);
            return deleted.Value;
        }
        catch (RequestFailedException e) when (e.Status == PreconditionFailed || (e.Status == NotFound && e.ErrorCode == BlobErrorCode.ContainerNotFound))
        {
            return false;
        }
    }
}
