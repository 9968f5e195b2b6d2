using System.Security.Cryptography;
using MetaRec.Core.IO;

namespace MetaRec.Storage.Documents;

/// <summary>
/// Documents as files under a folder, the name's '/'-separated segments as subfolders. The ETag
/// is a hash of the file's bytes (the first 128 bits of its SHA-256, quoted), so it needs no
/// side file and a reader computes it from what it read. A conditional write or delete checks
/// and changes the file under an exclusive lock file beside it (<c>{name}.lock</c>), so writers
/// in any process on one machine see one winner; the write itself is an
/// <see cref="AtomicFile"/> replace, so a reader without the lock never sees half a document.
/// Deleting a document removes its lock file too: a document's name may be personal data (a
/// user id), see <see cref="FileLock.DeleteHeld"/>.
/// </summary>
public sealed class FolderDocumentStore(string root) : IEtagDocumentStore
{
    private readonly string _root = Path.GetFullPath(root);

    public async Task<EtagDocument?> ReadAsync(string name, CancellationToken cancellation = default) =>
        await ReadFileAsync(PathOf(name), cancellation).ConfigureAwait(false);

    public async Task<string?> TryWriteAsync(string name, byte[] content, string? expectedETag, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        var current = await ReadFileAsync(path, cancellation).ConfigureAwait(false);
        if (current?.ETag != expectedETag)
        {
            return null;
        }
        await AtomicFile.ReplaceAsync(path, content, cancellation).ConfigureAwait(false);
        return ETagOf(content);
    }

    public async Task<bool> DeleteAsync(string name, string? expectedETag = null, CancellationToken cancellation = default)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return false; // without taking the lock, which would create its file
        }
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        var current = await ReadFileAsync(path, cancellation).ConfigureAwait(false);
        if (current is not null && expectedETag is not null && current.ETag != expectedETag)
        {
            return false;
        }
        File.Delete(path);
        FileLock.DeleteHeld(path + ".lock");
        return current is not null;
    }

    private string PathOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var path = Path.GetFullPath(Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar)));
        return path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ArgumentException($"document name '{name}' leaves the store's folder", nameof(name));
    }

    private static async Task<EtagDocument?> ReadFileAsync(string path, CancellationToken cancellation)
    {
        try
        {
            var content = await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false);
            return new EtagDocument(content, ETagOf(content));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static string ETagOf(byte[] content) => $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"";
}
