using System.Globalization;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Windows as <c>windows/{user}.json</c> under a folder. The ETag is the window's
/// <see cref="UserWindow.Applied"/> count, checked and replaced under a file lock.
/// </summary>
public sealed class FolderUserWindowStore(string root) : IUserWindowStore
{
    private readonly string _root = Path.Combine(Path.GetFullPath(root), "windows");

    public async Task<UserWindow> GetAsync(string userId, CancellationToken cancellation = default)
    {
        var path = PathOf(userId);
        return await ReadAsync(path, cancellation).ConfigureAwait(false) ?? UserWindow.Empty(userId);
    }

    public async Task<UserWindow?> TryReplaceAsync(UserWindow window, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(window);
        var path = PathOf(window.UserId);
        Directory.CreateDirectory(_root);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        var stored = await ReadAsync(path, cancellation).ConfigureAwait(false);
        if (stored?.ETag != window.ETag)
        {
            return null;
        }
        await AtomicFile.ReplaceAsync(path, WindowCodec.Encode(window), cancellation).ConfigureAwait(false);
        return window with { ETag = Tag(window.Applied) };
    }

    public async IAsyncEnumerable<string> ListUsersAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }
        foreach (var path in Directory.EnumerateFiles(_root, "*.json"))
        {
            cancellation.ThrowIfCancellationRequested();
            yield return Path.GetFileNameWithoutExtension(path);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private string PathOf(string userId) => Path.Combine(_root, StorageNames.UserId(userId) + ".json");

    private static async Task<UserWindow?> ReadAsync(string path, CancellationToken cancellation)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var window = WindowCodec.Decode(await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false), path, string.Empty);
        return window with { ETag = Tag(window.Applied) };
    }

    private static string Tag(long applied) => applied.ToString(CultureInfo.InvariantCulture);
}
