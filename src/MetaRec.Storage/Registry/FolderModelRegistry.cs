using MetaRec.Core.IO;
using MetaRec.Storage.Documents;

namespace MetaRec.Storage.Registry;

/// <summary>
/// The registry in a local folder (the embedded default), with the blob layout as paths. The
/// active pointer is a <see cref="FolderDocumentStore"/> document (its ETag a hash of its bytes,
/// compare-and-swap under an exclusive lock file), so concurrent processes on one machine see one winner.
/// </summary>
public sealed class FolderModelRegistry(string root, TimeProvider? time = null) : ModelRegistryBase(new FolderDocumentStore(root), time ?? TimeProvider.System)
{
    private readonly string _models = Path.Combine(Path.GetFullPath(root), "models");

    public override Task<IReadOnlyList<string>> ListFamiliesAsync(CancellationToken cancellation = default) =>
        Task.FromResult<IReadOnlyList<string>>(Directory.Exists(_models)
            ? [.. Directory.GetDirectories(_models).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : []);

    protected override Task<IReadOnlyList<string>> ListVersionNamesAsync(string family, CancellationToken cancellation)
    {
        var folder = Path.Combine(_models, family);
        return Task.FromResult<IReadOnlyList<string>>(Directory.Exists(folder)
            ? [.. Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>()]
            : []);
    }

    protected override async Task<byte[]?> ReadManifestAsync(string family, string version, CancellationToken cancellation)
    {
        var path = VersionPath(family, version, "manifest.json");
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false) : null;
    }

    protected override async Task CreateManifestAsync(string family, string version, byte[] content, CancellationToken cancellation)
    {
        if (!await AtomicFile.TryCreateAsync(VersionPath(family, version, "manifest.json"), content, cancellation).ConfigureAwait(false))
        {
            throw new RegistryConflictException($"model {family}/{version} was registered concurrently; versions are immutable");
        }
    }

    protected override async Task UploadWeightsAsync(string family, string version, Stream weights, CancellationToken cancellation)
    {
        await AtomicFile.ReplaceAsync(VersionPath(family, version, "weights.bin"), weights, cancellation).ConfigureAwait(false);
    }

    protected override async Task CopyWeightsAsync(string family, string version, Stream destination, CancellationToken cancellation)
    {
        var path = VersionPath(family, version, "weights.bin");
        if (!File.Exists(path))
        {
            return; // verification then reports 0 bytes against the manifest
        }
        await using var file = File.OpenRead(path);
        await file.CopyToAsync(destination, cancellation).ConfigureAwait(false);
    }

    protected override Task DeleteVersionAsync(string family, string version, CancellationToken cancellation)
    {
        File.Delete(VersionPath(family, version, "manifest.json"));
        var folder = Path.Combine(_models, family, version);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        return Task.CompletedTask;
    }

    private string VersionPath(string family, string version, string file) => Path.Combine(_models, family, version, file);
}
