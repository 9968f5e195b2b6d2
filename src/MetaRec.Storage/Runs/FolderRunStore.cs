using System.Security.Cryptography;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Runs;

/// <summary>
/// Runs as <c>runs/{id}.json</c> under a folder. The ETag is the SHA-256 of the content; a
/// replace compares and writes under a file lock, through a temporary file and a rename, so a
/// crash leaves the old or the new document, never half of one.
/// </summary>
public sealed class FolderRunStore(string root) : IRunStore
{
    private readonly string _root = Path.Combine(Path.GetFullPath(root), "runs");

    public async Task<RunDocument?> GetAsync(string id, CancellationToken cancellation = default)
    {
        var path = PathOf(id);
        return File.Exists(path) ? Document(id, await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false)) : null;
    }

    public async Task<RunDocument?> CreateAsync(string id, byte[] json, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var path = PathOf(id);
        Directory.CreateDirectory(_root);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        if (File.Exists(path))
        {
            return null;
        }
        await AtomicFile.ReplaceAsync(path, json, cancellation).ConfigureAwait(false);
        return Document(id, json);
    }

    public async Task<RunDocument?> TryReplaceAsync(string id, byte[] json, string etag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var path = PathOf(id);
        Directory.CreateDirectory(_root);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        if (!File.Exists(path) || Tag(await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false)) != etag)
        {
            return null;
        }
        await AtomicFile.ReplaceAsync(path, json, cancellation).ConfigureAwait(false);
        return Document(id, json);
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellation = default)
    {
        IReadOnlyList<string> ids = Directory.Exists(_root)
            ? [.. Directory.EnumerateFiles(_root, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>()]
            : [];
        return Task.FromResult(ids);
    }

    private string PathOf(string id) => Path.Combine(_root, StorageNames.RunId(id) + ".json");

    private static RunDocument Document(string id, byte[] json) => new(id, json, Tag(json));

    private static string Tag(byte[] json) => Convert.ToHexStringLower(SHA256.HashData(json));
}
