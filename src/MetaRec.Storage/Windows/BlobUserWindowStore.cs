using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Windows as blobs <c>windows/{user}.json</c>; replaced with <c>If-Match</c> on the ETag, or
/// <c>If-None-Match: *</c> for a user's first window.
/// </summary>
public sealed class BlobUserWindowStore(BlobContainerClient container) : IUserWindowStore
{
    private const int NotFound = 404;
    private const int PreconditionFailed = 412;
    private const int Conflict = 409;

    public async Task<UserWindow> GetAsync(string userId, CancellationToken cancellation = default)
    {
        var blob = Blob(userId);
        try
        {
            var content = await blob.DownloadContentAsync(cancellation).ConfigureAwait(false);
            return WindowCodec.Decode(content.Value.Content.ToArray(), blob.Name, content.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return UserWindow.Empty(userId);
        }
    }

    public async Task<UserWindow?> TryReplaceAsync(UserWindow window, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        var blob = Blob(window.UserId);
        var conditions = window.ETag is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(window.ETag) };
        try
        {
            var info = await UploadAsync(blob, window, conditions, cancellation).ConfigureAwait(false);
            return window with { ETag = info.ETag.ToString() };
        }
        catch (RequestFailedException e) when (e.Status == NotFound && e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            return await TryReplaceAsync(window, cancellation).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is PreconditionFailed or Conflict)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<string> ListUsersAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var pages = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "windows/", cancellation).ConfigureAwait(false);
        await using var items = pages.GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await items.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (RequestFailedException e) when (e.Status == NotFound)
            {
                yield break; // no container yet: no users
            }
            var name = items.Current.Name;
            if (name.EndsWith(".json", StringComparison.Ordinal))
            {
                yield return name["windows/".Length..^".json".Length];
            }
        }
    }

    private static async Task<BlobContentInfo> UploadAsync(BlobClient blob, UserWindow window, BlobRequestConditions conditions, CancellationToken cancellation)
    {
        var options = new BlobUploadOptions
        {
            Conditions = conditions,
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        };
        var response = await blob.UploadAsync(BinaryData.FromBytes(WindowCodec.Encode(window)), options, cancellation).ConfigureAwait(false);
        return response.Value;
    }

    private BlobClient Blob(string userId) => container.GetBlobClient($"windows/{StorageNames.UserId(userId)}.json");
}
