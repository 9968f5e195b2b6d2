using System.Runtime.CompilerServices;
using MetaRec.Storage.Documents;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Windows as <c>windows/{bucket}/{user}.json</c> under a folder (<see cref="UserShards"/>), so a
/// shard lists only its own bucket folders; read and replaced through a
/// <see cref="FolderDocumentStore"/> (a content-hash ETag, checked and replaced under a file
/// lock). Windows of earlier versions, <c>windows/{user}.json</c>, are still read and listed, and
/// a write moves one into its bucket (<see cref="UserWindowStoreBase"/>).
/// </summary>
public sealed class FolderUserWindowStore(string root) : UserWindowStoreBase(new FolderDocumentStore(root))
{
    private readonly string _root = Path.Combine(Path.GetFullPath(root), "windows");

    public override async IAsyncEnumerable<string> ListUsersAsync(int shard, int shards, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var (first, end) = UserShards.BucketsOf(shard, shards);
        if (!Directory.Exists(_root))
        {
            yield break;
        }
        // Users still in the flat layout of earlier versions; one caught between a move and its
        // cleanup is in both places and listed once.
        var legacy = LegacyUsers().Where(u => UserShards.ShardOf(u, shards) == shard).ToHashSet(StringComparer.Ordinal);
        for (var bucket = first; bucket < end; bucket++)
        {
            var folder = Path.Combine(_root, UserShards.BucketName(bucket));
            if (!Directory.Exists(folder))
            {
                continue;
            }
            foreach (var path in Directory.EnumerateFiles(folder, "*" + Extension))
            {
                cancellation.ThrowIfCancellationRequested();
                var user = Path.GetFileNameWithoutExtension(path);
                legacy.Remove(user);
                yield return user;
            }
        }
        foreach (var user in legacy.Order(StringComparer.Ordinal))
        {
            yield return user;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    protected override async IAsyncEnumerable<string> LegacyUsersAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }
        foreach (var user in LegacyUsers().ToList())
        {
            cancellation.ThrowIfCancellationRequested();
            yield return user;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private IEnumerable<string> LegacyUsers() =>
        Directory.EnumerateFiles(_root, "*" + Extension, SearchOption.TopDirectoryOnly).Select(path => Path.GetFileNameWithoutExtension(path));
}
