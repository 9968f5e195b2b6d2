using MetaRec.Storage.Documents;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Windows;

/// <summary>
/// A window store's reads and conditional writes over an <see cref="IEtagDocumentStore"/>, so
/// every backend has the same concurrency and the same handling of the flat layout of earlier
/// versions; a backend adds only its listing. Windows are documents
/// <c>windows/{bucket}/{user}.json</c> (<see cref="UserShards"/>); one still at
/// <c>windows/{user}.json</c> is read with its ETag marked <c>legacy:</c>, and its next write
/// moves it: created in its bucket only if nobody moved it first, then removed from the flat layout.
/// </summary>
public abstract class UserWindowStoreBase(IEtagDocumentStore documents) : IUserWindowStore
{
    protected const string Root = "windows/";
    protected const string Extension = ".json";
    private const string LegacyTag = "legacy:";

    public async Task<UserWindow> GetAsync(string userId, CancellationToken cancellation = default)
    {
        var name = NameOf(userId);
        // Read again after a missing legacy window: a writer may have moved it in between.
        return await ReadAsync(name, string.Empty, cancellation).ConfigureAwait(false)
            ?? await ReadAsync(LegacyNameOf(userId), LegacyTag, cancellation).ConfigureAwait(false)
            ?? await ReadAsync(name, string.Empty, cancellation).ConfigureAwait(false)
            ?? UserWindow.Empty(userId);
    }

    public async Task<UserWindow?> TryReplaceAsync(UserWindow window, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        var moving = window.ETag?.StartsWith(LegacyTag, StringComparison.Ordinal) == true;
        var etag = await documents.TryWriteAsync(NameOf(window.UserId), WindowCodec.Encode(window), moving ? null : window.ETag, cancellation).ConfigureAwait(false);
        if (etag is null)
        {
            return null;
        }
        if (moving)
        {
            await documents.DeleteAsync(LegacyNameOf(window.UserId), cancellation: cancellation).ConfigureAwait(false);
        }
        return window with { ETag = etag };
    }

    public async Task<bool> DeleteAsync(string userId, CancellationToken cancellation = default)
    {
        var bucketed = await documents.DeleteAsync(NameOf(userId), cancellation: cancellation).ConfigureAwait(false);
        var legacy = await documents.DeleteAsync(LegacyNameOf(userId), cancellation: cancellation).ConfigureAwait(false);
        return bucketed || legacy;
    }

    public IAsyncEnumerable<string> ListUsersAsync(CancellationToken cancellation = default) => ListUsersAsync(0, 1, cancellation);

    public abstract IAsyncEnumerable<string> ListUsersAsync(int shard, int shards, CancellationToken cancellation = default);

    public async Task<int> MigrateLegacyAsync(CancellationToken cancellation = default)
    {
        var users = new List<string>();
        await foreach (var user in LegacyUsersAsync(cancellation).ConfigureAwait(false))
        {
            users.Add(user);
        }
        var moved = 0;
        foreach (var user in users)
        {
            var legacy = await documents.ReadAsync(LegacyNameOf(user), cancellation).ConfigureAwait(false);
            if (legacy is null)
            {
                continue; // a write moved it meanwhile
            }
            if (await documents.TryWriteAsync(NameOf(user), legacy.Content, null, cancellation).ConfigureAwait(false) is not null)
            {
                moved++;
            }
            // Otherwise moved before and its cleanup interrupted: the bucket's copy is newer. A flat
            // window rewritten since it was read (by a writer of an earlier version) is left for the next run.
            await documents.DeleteAsync(LegacyNameOf(user), legacy.ETag, cancellation).ConfigureAwait(false);
        }
        return moved;
    }

    /// <summary>The users with a window in the flat layout of earlier versions, <c>windows/{user}.json</c>.</summary>
    protected abstract IAsyncEnumerable<string> LegacyUsersAsync(CancellationToken cancellation);

    /// <summary>The user's window in its bucket, <c>windows/{bucket}/{user}.json</c>.</summary>
    private static string NameOf(string userId) =>
        $"{Root}{UserShards.BucketName(UserShards.BucketOf(StorageNames.UserId(userId)))}/{userId}{Extension}";

    private static string LegacyNameOf(string userId) => $"{Root}{StorageNames.UserId(userId)}{Extension}";

    private async Task<UserWindow?> ReadAsync(string name, string tagPrefix, CancellationToken cancellation) =>
        await documents.ReadAsync(name, cancellation).ConfigureAwait(false) is { } document
            ? WindowCodec.Decode(document.Content, name, tagPrefix + document.ETag)
            : null;
}
