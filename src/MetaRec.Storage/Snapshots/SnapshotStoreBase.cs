using System.Text.Json;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Snapshots;

/// <summary>
/// What the folder and Blob snapshot stores share: which files a dataset is, the order of
/// writes (data files, their list, then the manifest) and the checks on reading back.
/// </summary>
public abstract class SnapshotStoreBase : ISnapshotStore
{
    /// <summary>The stored list of a snapshot's files (<c>contents.json</c>).</summary>
    /// <param name="Files">The data files' names.</param>
    /// <param name="SingleFile">The data was one file, not a folder.</param>
    protected sealed record Contents(IReadOnlyList<string> Files, bool SingleFile);

    /// <summary>The name of the file list beside the data.</summary>
    protected const string ContentsName = "contents.json";

    /// <summary>The name of the manifest, written last.</summary>
    protected const string ManifestName = "manifest.json";

    public async Task PutAsync(string runId, string dataPath, byte[] manifest, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        ArgumentNullException.ThrowIfNull(manifest);
        StorageNames.RunId(runId);
        var single = File.Exists(dataPath);
        string[] files = single
            ? [Path.GetFullPath(dataPath)]
            : Directory.Exists(dataPath)
                ? [.. Directory.EnumerateFiles(dataPath).Order(StringComparer.Ordinal)]
                : throw new FileNotFoundException($"no data at '{dataPath}'", dataPath);
        foreach (var file in files)
        {
            await UploadFileAsync(runId, Path.GetFileName(file), file, cancellation).ConfigureAwait(false);
        }
        var contents = new Contents([.. files.Select(f => Path.GetFileName(f))], single);
        await WriteAsync(runId, ContentsName, JsonSerializer.SerializeToUtf8Bytes(contents, JsonSerializerOptions.Web), cancellation).ConfigureAwait(false);
        await WriteAsync(runId, ManifestName, manifest, cancellation).ConfigureAwait(false);
    }

    public Task<byte[]?> GetManifestAsync(string runId, CancellationToken cancellation = default) =>
        ReadAsync(StorageNames.RunId(runId), ManifestName, cancellation);

    public async Task<DownloadedSnapshot> DownloadAsync(string runId, string folder, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var manifest = await GetManifestAsync(runId, cancellation).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"run {runId} has no data snapshot in storage");
        var contents = await ReadContentsAsync(runId, cancellation).ConfigureAwait(false);
        Directory.CreateDirectory(folder);
        foreach (var name in contents.Files)
        {
            await DownloadFileAsync(runId, name, Path.Combine(folder, name), cancellation).ConfigureAwait(false);
        }
        var data = contents.SingleFile ? Path.Combine(Path.GetFullPath(folder), contents.Files[0]) : Path.GetFullPath(folder);
        return new DownloadedSnapshot(data, manifest);
    }

    /// <summary>Stores one data file of the run's snapshot (replacing it), all or nothing.</summary>
    protected abstract Task UploadFileAsync(string runId, string name, string localPath, CancellationToken cancellation);

    /// <summary>Copies one data file of the run's snapshot to <paramref name="localPath"/>.</summary>
    /// <exception cref="FileNotFoundException">The file is not there.</exception>
    protected abstract Task DownloadFileAsync(string runId, string name, string localPath, CancellationToken cancellation);

    /// <summary>Stores a small document beside the data (replacing it), all or nothing.</summary>
    protected abstract Task WriteAsync(string runId, string name, byte[] content, CancellationToken cancellation);

    /// <summary>A small document beside the data, or null.</summary>
    protected abstract Task<byte[]?> ReadAsync(string runId, string name, CancellationToken cancellation);

    private async Task<Contents> ReadContentsAsync(string runId, CancellationToken cancellation)
    {
        var json = await ReadAsync(runId, ContentsName, cancellation).ConfigureAwait(false)
            ?? throw new InvalidDataException($"run {runId}'s data snapshot has a manifest but no {ContentsName}");
        Contents? contents;
        try
        {
            contents = JsonSerializer.Deserialize<Contents>(json, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"run {runId}'s {ContentsName} is not valid: {e.Message}", e);
        }
        if (contents is not { Files.Count: > 0 } || (contents.SingleFile && contents.Files.Count != 1))
        {
            throw new InvalidDataException($"run {runId}'s {ContentsName} lists no files, or several for one file");
        }
        // Names are plain file names: a stored list never sends a download elsewhere.
        var bad = contents.Files.FirstOrDefault(name => name.Length == 0 || name != Path.GetFileName(name) || name is "." or "..");
        return bad is null ? contents : throw new InvalidDataException($"run {runId}'s {ContentsName} lists '{bad}', which is not a plain file name");
    }
}
