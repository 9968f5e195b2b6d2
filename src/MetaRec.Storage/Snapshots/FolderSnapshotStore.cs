using MetaRec.Core.IO;

namespace MetaRec.Storage.Snapshots;

/// <summary>
/// Snapshots under a folder: <c>snapshots/{run}/data/{file}</c>, <c>snapshots/{run}/contents.json</c>
/// and <c>snapshots/{run}/manifest.json</c>, each written through a temporary file and a rename.
/// </summary>
public sealed class FolderSnapshotStore(string root) : SnapshotStoreBase
{
    private readonly string _root = Path.Combine(Path.GetFullPath(root), "snapshots");

    protected override async Task UploadFileAsync(string runId, string name, string localPath, CancellationToken cancellation)
    {
        await using var source = File.OpenRead(localPath);
        await AtomicFile.ReplaceAsync(Path.Combine(_root, runId, "data", name), source, cancellation).ConfigureAwait(false);
    }

    protected override async Task DownloadFileAsync(string runId, string name, string localPath, CancellationToken cancellation)
    {
        var source = Path.Combine(_root, runId, "data", name);
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"run {runId}'s data snapshot lacks {name}", source);
        }
        await using var input = File.OpenRead(source);
        await using var output = File.Create(localPath);
        await input.CopyToAsync(output, cancellation).ConfigureAwait(false);
    }

    protected override Task WriteAsync(string runId, string name, byte[] content, CancellationToken cancellation) =>
        AtomicFile.ReplaceAsync(Path.Combine(_root, runId, name), content, cancellation);

    protected override async Task<byte[]?> ReadAsync(string runId, string name, CancellationToken cancellation)
    {
        var path = Path.Combine(_root, runId, name);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false) : null;
    }
}
