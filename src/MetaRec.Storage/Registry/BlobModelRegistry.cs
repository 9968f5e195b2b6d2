using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MetaRec.Storage.Documents;

namespace MetaRec.Storage.Registry;

/// <summary>
/// The registry in an Azure Blob container (Azurite locally), created before the first upload
/// once per registry instance. Weights are streamed in blocks; the manifest and the active
/// pointer are <see cref="BlobDocumentStore"/> documents: the manifest created only
/// (<c>If-None-Match: *</c>), the pointer changed only with <c>If-Match</c> on its ETag (or
/// <c>If-None-Match: *</c> when there is none yet).
/// </summary>
public sealed class BlobModelRegistry(BlobContainerClient container, TimeProvider? time = null) : ModelRegistryBase(new BlobDocumentStore(container), time ?? TimeProvider.System)
{
    private const int NotFound = 404;

    private readonly CreateOnce _created = new(cancellation => container.CreateIfNotExistsAsync(cancellationToken: cancellation));
    private readonly BlobDocumentStore _manifests = new(container);

    public override async Task<IReadOnlyList<string>> ListFamiliesAsync(CancellationToken cancellation = default)
    {
        var families = new List<string>();
        if (!await container.ExistsAsync(cancellation).ConfigureAwait(false))
        {
            return families;
        }
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", "models/", cancellation).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                families.Add(item.Prefix["models/".Length..].TrimEnd('/'));
            }
        }
        return [.. families.Order(StringComparer.Ordinal)];
    }

    protected override async Task<IReadOnlyList<string>> ListVersionNamesAsync(string family, CancellationToken cancellation)
    {
        var versions = new List<string>();
        var prefix = $"models/{family}/";
        if (!await container.ExistsAsync(cancellation).ConfigureAwait(false))
        {
            return versions;
        }
        await foreach (var item in container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix, cancellation).ConfigureAwait(false))
        {
            if (item.IsPrefix)
            {
                versions.Add(item.Prefix[prefix.Length..].TrimEnd('/'));
            }
        }
        return versions;
    }

    protected override async Task<byte[]?> ReadManifestAsync(string family, string version, CancellationToken cancellation)
    {
        try
        {
            var content = await Blob(family, version, "manifest.json").DownloadContentAsync(cancellation).ConfigureAwait(false);
            return content.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return null;
        }
    }

    protected override async Task CreateManifestAsync(string family, string version, byte[] content, CancellationToken cancellation)
    {
        if (await _manifests.TryWriteAsync($"models/{family}/{version}/manifest.json", content, expectedETag: null, cancellation).ConfigureAwait(false) is null)
        {
            throw new RegistryConflictException($"model {family}/{version} was registered concurrently; versions are immutable");
        }
    }

    protected override async Task UploadWeightsAsync(string family, string version, Stream weights, CancellationToken cancellation)
    {
        await _created.EnsureAsync(cancellation).ConfigureAwait(false);
        await Blob(family, version, "weights.bin").UploadAsync(weights, new BlobUploadOptions(), cancellation).ConfigureAwait(false);
    }

    protected override async Task CopyWeightsAsync(string family, string version, Stream destination, CancellationToken cancellation)
    {
        try
        {
            await Blob(family, version, "weights.bin").DownloadToAsync(destination, cancellation).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            // verification then reports 0 bytes against the manifest
        }
    }

    protected override async Task DeleteVersionAsync(string family, string version, CancellationToken cancellation)
    {
        await Blob(family, version, "manifest.json").DeleteIfExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
        await Blob(family, version, "weights.bin").DeleteIfExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
    }

    private BlobClient Blob(string family, string version, string file) => container.GetBlobClient($"models/{family}/{version}/{file}");
}
