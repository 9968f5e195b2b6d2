using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Windows as blobs <c>windows/{bucket}/{user}.json</c> (<see cref="UserShards"/>), so a shard
/// lists only its own name prefixes; replaced with <c>If-Match</c> on the ETag, or
/// <c>If-None-Match: *</c> for a user's first window. Blobs of earlier versions,
/// <c>windows/{user}.json</c>, are still read (their ETag is marked <c>legacy:</c>), and a write
/// moves one into its bucket.
/// </summary>
public sealed class BlobUserWindowStore(BlobContainerClient container) : IUserWindowStore
{
    private const int NotFound = 404;
    private const int PreconditionFailed = 412;
    private const int Conflict = 409;
    private const string LegacyTag = "legacy:";
    private const string Root = "windows/";
    private const string Extension = ".json";

    public async Task<UserWindow> GetAsync(string userId, CancellationToken cancellation = default)
    {
        var blob = Blob(userId);
        // Read again after a missing legacy blob: a writer may have moved it in between.
        return await DownloadAsync(blob, string.Empty, cancellation).ConfigureAwait(false)
            ?? await DownloadAsync(LegacyBlob(userId), LegacyTag, cancellation).ConfigureAwait(false)
            ?? await DownloadAsync(blob, string.Empty, cancellation).ConfigureAwait(false)
            ?? UserWindow.Empty(userId);
    }

    public async Task<UserWindow?> TryReplaceAsync(UserWindow window, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        var blob = Blob(window.UserId);
        // A window read from the flat layout is moved: it may be created in its bucket only if
        // nobody moved it first.
        var moving = window.ETag?.StartsWith(LegacyTag, StringComparison.Ordinal) == true;
        var conditions = window.ETag is null || moving
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(window.ETag) };
        try
        {
            var info = await UploadAsync(blob, WindowCodec.Encode(window), conditions, cancellation).ConfigureAwait(false);
            if (moving)
            {
                await LegacyBlob(window.UserId).DeleteIfExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            }
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

    public async Task<bool> DeleteAsync(string userId, CancellationToken cancellation = default)
    {
        try
        {
            var bucketed = await Blob(userId).DeleteIfExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            var legacy = await LegacyBlob(userId).DeleteIfExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            return bucketed.Value || legacy.Value;
        }
        catch (RequestFailedException e) when (e.Status == NotFound && e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return false;
        }
    }

    public IAsyncEnumerable<string> ListUsersAsync(CancellationToken cancellation = default) => ListUsersAsync(0, 1, cancellation);

    public async IAsyncEnumerable<string> ListUsersAsync(int shard, int shards, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var prefixes = UserShards.PrefixesOf(shard, shards);
        // Users still in the flat layout of earlier versions (one listing of the top level); one
        // caught between a move and its cleanup is in both places and listed once.
        var legacy = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var user in LegacyUsersAsync(cancellation).ConfigureAwait(false))
        {
            if (UserShards.ShardOf(user, shards) == shard)
            {
                legacy.Add(user);
            }
        }
        foreach (var prefix in prefixes)
        {
            await foreach (var name in NamesAsync(Root + prefix, cancellation).ConfigureAwait(false))
            {
                // windows/{bucket}/{user}.json; a prefix such as "windows/4" also matches flat names.
                if (name.Length > Root.Length + 3 && name[Root.Length + 2] == '/' && name.EndsWith(Extension, StringComparison.Ordinal))
                {
                    var user = name[(Root.Length + 3)..^Extension.Length];
                    legacy.Remove(user);
                    yield return user;
                }
            }
        }
        foreach (var user in legacy.Order(StringComparer.Ordinal))
        {
            yield return user;
        }
    }

    public async Task<int> MigrateLegacyAsync(CancellationToken cancellation = default)
    {
        var moved = 0;
        var users = new List<string>();
        await foreach (var user in LegacyUsersAsync(cancellation).ConfigureAwait(false))
        {
            users.Add(user);
        }
        foreach (var user in users)
        {
            var legacy = LegacyBlob(user);
            BlobDownloadResult content;
            try
            {
                content = (await legacy.DownloadContentAsync(cancellation).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException e) when (e.Status == NotFound)
            {
                continue; // a write moved it meanwhile
            }
            try
            {
                await UploadAsync(Blob(user), content.Content.ToArray(), new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellation).ConfigureAwait(false);
                moved++;
            }
            catch (RequestFailedException e) when (e.Status is PreconditionFailed or Conflict)
            {
                // Moved before and its cleanup interrupted: the bucket's copy is newer.
            }
            try
            {
                await legacy.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = content.Details.ETag }, cancellationToken: cancellation).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == PreconditionFailed)
            {
                // Rewritten in the flat layout since it was read (a writer of an earlier version): left for the next run.
            }
        }
        return moved;
    }

    /// <summary>The users with a blob in the flat layout of earlier versions, <c>windows/{user}.json</c>.</summary>
    private async IAsyncEnumerable<string> LegacyUsersAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        var pages = container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", Root, cancellation).ConfigureAwait(false);
        await using var items = pages.GetAsyncEnumerator();
        while (await NextAsync(items).ConfigureAwait(false))
        {
            if (items.Current is { IsBlob: true, Blob.Name: var name } && name.EndsWith(Extension, StringComparison.Ordinal))
            {
                yield return name[Root.Length..^Extension.Length];
            }
        }
    }

    /// <summary>The names of the blobs under <paramref name="prefix"/>; none when there is no container yet.</summary>
    private async IAsyncEnumerable<string> NamesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var pages = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellation).ConfigureAwait(false);
        await using var items = pages.GetAsyncEnumerator();
        while (await NextAsync(items).ConfigureAwait(false))
        {
            yield return items.Current.Name;
        }
    }

    private static async Task<bool> NextAsync<T>(ConfiguredCancelableAsyncEnumerable<T>.Enumerator items)
    {
        try
        {
            return await items.MoveNextAsync();
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return false; // no container yet: no users
        }
    }

    private static async Task<UserWindow?> DownloadAsync(BlobClient blob, string tagPrefix, CancellationToken cancellation)
    {
        try
        {
            var content = await blob.DownloadContentAsync(cancellation).ConfigureAwait(false);
            return WindowCodec.Decode(content.Value.Content.ToArray(), blob.Name, tagPrefix + content.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException e) when (e.Status == NotFound)
        {
            return null;
        }
    }

    private static async Task<BlobContentInfo> UploadAsync(BlobClient blob, byte[] content, BlobRequestConditions conditions, CancellationToken cancellation)
    {
        var options = new BlobUploadOptions
        {
            Conditions = conditions,
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        };
        var response = await blob.UploadAsync(BinaryData.FromBytes(content), options, cancellation).ConfigureAwait(false);
        return response.Value;
    }

    private BlobClient Blob(string userId) =>
        container.GetBlobClient($"{Root}{UserShards.BucketName(UserShards.BucketOf(StorageNames.UserId(userId)))}/{userId}{Extension}");

    private BlobClient LegacyBlob(string userId) => container.GetBlobClient($"{Root}{StorageNames.UserId(userId)}{Extension}");
}
