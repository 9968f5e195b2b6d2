using System.Globalization;
using System.Runtime.CompilerServices;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Windows as <c>windows/{bucket}/{user}.json</c> under a folder (<see cref="UserShards"/>), so a
/// shard lists only its own bucket folders. The ETag is the window's <see cref="UserWindow.Applied"/>
/// count, checked and replaced under a file lock. Windows of earlier versions, <c>windows/{user}.json</c>,
/// are still read (their ETag is marked <c>legacy:</c>), and a write moves one into its bucket.
/// </summary>
public sealed class FolderUserWindowStore(string root) : IUserWindowStore
{
    private const string LegacyTag = "legacy:";
    private const string Extension = ".json";

    private readonly string _root = Path.Combine(Path.GetFullPath(root), "windows");

    public async Task<UserWindow> GetAsync(string userId, CancellationToken cancellation = default)
    {
        var path = PathOf(userId);
        // Read again after a missing legacy file: a writer may have moved it in between.
        return await ReadAsync(path, string.Empty, cancellation).ConfigureAwait(false)
            ?? await ReadAsync(LegacyPathOf(userId), LegacyTag, cancellation).ConfigureAwait(false)
            ?? await ReadAsync(path, string.Empty, cancellation).ConfigureAwait(false)
            ?? UserWindow.Empty(userId);
    }

    public async Task<UserWindow?> TryReplaceAsync(UserWindow window, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        var path = PathOf(window.UserId);
        var legacy = LegacyPathOf(window.UserId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        var stored = await ReadAsync(path, string.Empty, cancellation).ConfigureAwait(false)
            ?? await ReadAsync(legacy, LegacyTag, cancellation).ConfigureAwait(false);
        if (stored?.ETag != window.ETag)
        {
            return null;
        }
        await AtomicFile.ReplaceAsync(path, WindowCodec.Encode(window), cancellation).ConfigureAwait(false);
        File.Delete(legacy);
        return window with { ETag = Tag(string.Empty, window.Applied) };
    }

    public async Task<bool> DeleteAsync(string userId, CancellationToken cancellation = default)
    {
        var path = PathOf(userId);
        var legacy = LegacyPathOf(userId);
        if (!File.Exists(path) && !File.Exists(legacy))
        {
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!); // a window only in the flat layout has no bucket folder yet
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        var existed = File.Exists(path) || File.Exists(legacy);
        File.Delete(path);
        File.Delete(legacy);
        FileLock.DeleteHeld(path + ".lock"); // its name is the user id
        return existed;
    }

    public IAsyncEnumerable<string> ListUsersAsync(CancellationToken cancellation = default) => ListUsersAsync(0, 1, cancellation);

    public async IAsyncEnumerable<string> ListUsersAsync(int shard, int shards, [EnumeratorCancellation] CancellationToken cancellation = default)
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

    public async Task<int> MigrateLegacyAsync(CancellationToken cancellation = default)
    {
        if (!Directory.Exists(_root))
        {
            return 0;
        }
        var moved = 0;
        foreach (var user in LegacyUsers().ToList())
        {
            var path = PathOf(user);
            var legacy = LegacyPathOf(user);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
            if (!File.Exists(legacy))
            {
                continue; // a write moved it meanwhile
            }
            if (File.Exists(path))
            {
                File.Delete(legacy); // moved before, its cleanup interrupted: the bucket's copy is newer
                continue;
            }
            File.Move(legacy, path);
            moved++;
        }
        return moved;
    }

    private IEnumerable<string> LegacyUsers() =>
        Directory.EnumerateFiles(_root, "*" + Extension, SearchOption.TopDirectoryOnly).Select(path => Path.GetFileNameWithoutExtension(path));

    private string PathOf(string userId) =>
        Path.Combine(_root, UserShards.BucketName(UserShards.BucketOf(StorageNames.UserId(userId))), userId + Extension);

    private string LegacyPathOf(string userId) => Path.Combine(_root, StorageNames.UserId(userId) + Extension);

    private static async Task<UserWindow?> ReadAsync(string path, string tagPrefix, CancellationToken cancellation)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        var window = WindowCodec.Decode(bytes, path, string.Empty);
        return window with { ETag = Tag(tagPrefix, window.Applied) };
    }

    private static string Tag(string prefix, long applied) => prefix + applied.ToString(CultureInfo.InvariantCulture);
}
