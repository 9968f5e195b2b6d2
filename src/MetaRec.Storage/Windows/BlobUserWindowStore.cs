using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MetaRec.Storage.Documents;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Windows as blobs <c>windows/{bucket}/{user}.json</c> (<see cref="UserShards"/>), so a shard
/// lists only its own name prefixes; read and replaced through a <see cref="BlobDocumentStore"/>
/// (<c>If-Match</c> on the ETag, <c>If-None-Match: *</c> for a user's first window). Blobs of
/// earlier versions, <c>windows/{user}.json</c>, are still read and listed, and a write moves one
/// into its bucket (<see cref="UserWindowStoreBase"/>).
/// </summary>
public sealed class BlobUserWindowStore(BlobContainerClient container) : UserWindowStoreBase(new BlobDocumentStore(container))
{
    private const int NotFound = 404;

    public override async IAsyncEnumerable<string> ListUsersAsync(int shard, int shards, [EnumeratorCancellation] CancellationToken cancellation = default)
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

    /// <summary>The users with a blob in the flat layout of earlier versions, <c>windows/{user}.json</c>.</summary>
    protected override async IAsyncEnumerable<string> LegacyUsersAsync([EnumeratorCancellation] CancellationToken cancellation)
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
}
