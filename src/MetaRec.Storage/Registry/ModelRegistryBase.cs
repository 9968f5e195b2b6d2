using System.Text.Json;
using MetaRec.Storage.Documents;

namespace MetaRec.Storage.Registry;

/// <summary>
/// The registry's behaviour over a few storage primitives, so both backends behave alike:
/// immutable versions visible only once their manifest exists, weights verified before a
/// version can become active, and an active pointer changed only by compare-and-swap: the
/// pointer is the document <c>models/{family}/active.json</c> of the backend's
/// <see cref="IEtagDocumentStore"/>, whose ETag is the pointer's.
/// </summary>
public abstract class ModelRegistryBase(IEtagDocumentStore pointers, TimeProvider time) : IModelRegistry
{
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<ModelManifest> RegisterAsync(ModelManifest manifest, Stream weights, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(weights);
        var family = StorageNames.Family(manifest.Family);
        var version = StorageNames.Version(manifest.Version);
        foreach (var parent in manifest.Parents)
        {
            StorageNames.Version(parent);
        }
        if (await ReadManifestAsync(family, version, cancellation).ConfigureAwait(false) is not null)
        {
            throw new RegistryConflictException($"model {family}/{version} already exists; versions are immutable");
        }
        using var hashing = new HashingStream(weights, writing: false);
        await UploadWeightsAsync(family, version, hashing, cancellation).ConfigureAwait(false);
        var stored = manifest with
        {
            Family = family,
            Version = version,
            CreatedUtc = manifest.CreatedUtc == default ? time.GetUtcNow() : manifest.CreatedUtc,
            WeightsSha256 = hashing.Sha256(),
            WeightsBytes = hashing.Count,
        };
        await CreateManifestAsync(family, version, JsonSerializer.SerializeToUtf8Bytes(stored, Json), cancellation).ConfigureAwait(false);
        return stored;
    }

    public abstract Task<IReadOnlyList<string>> ListFamiliesAsync(CancellationToken cancellation = default);

    public async Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(string family, CancellationToken cancellation = default)
    {
        family = StorageNames.Family(family);
        var manifests = new List<ModelManifest>();
        foreach (var version in await ListVersionNamesAsync(family, cancellation).ConfigureAwait(false))
        {
            if (await ReadManifestAsync(family, version, cancellation).ConfigureAwait(false) is { } bytes)
            {
                manifests.Add(Parse(bytes, $"{family}/{version}/manifest.json"));
            }
        }
        return [.. manifests.OrderBy(m => m.CreatedUtc).ThenBy(m => m.Version, StringComparer.Ordinal)];
    }

    public async Task<ModelManifest> GetManifestAsync(string family, string version, CancellationToken cancellation = default)
    {
        family = StorageNames.Family(family);
        version = StorageNames.Version(version);
        var bytes = await ReadManifestAsync(family, version, cancellation).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"no model {family}/{version}");
        return Parse(bytes, $"{family}/{version}/manifest.json");
    }

    public async Task<ModelManifest> DownloadWeightsAsync(string family, string version, Stream destination, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var manifest = await GetManifestAsync(family, version, cancellation).ConfigureAwait(false);
        using var hashing = new HashingStream(destination, writing: true);
        await CopyWeightsAsync(manifest.Family, manifest.Version, hashing, cancellation).ConfigureAwait(false);
        if (hashing.Count != manifest.WeightsBytes || hashing.Sha256() != manifest.WeightsSha256)
        {
            throw new CorruptCheckpointException(
                $"weights of {manifest.Family}/{manifest.Version} do not match the manifest: {hashing.Count} bytes with SHA-256 {hashing.Sha256()}, " +
                $"expected {manifest.WeightsBytes} bytes with {manifest.WeightsSha256}");
        }
        return manifest;
    }

    public async Task<ActiveModel?> GetActiveAsync(string family, CancellationToken cancellation = default)
    {
        family = StorageNames.Family(family);
        if (await pointers.ReadAsync(PointerName(family), cancellation).ConfigureAwait(false) is not { } document)
        {
            return null;
        }
        var pointer = JsonSerializer.Deserialize<Pointer>(document.Content, Json) ?? throw new InvalidDataException($"{family}/active.json is empty");
        return new ActiveModel(pointer.Version, pointer.Previous, pointer.UpdatedUtc, document.ETag);
    }

    public async Task<ActiveModel> PromoteAsync(string family, string version, string? expectedETag, CancellationToken cancellation = default)
    {
        family = StorageNames.Family(family);
        version = StorageNames.Version(version);
        await DownloadWeightsAsync(family, version, Stream.Null, cancellation).ConfigureAwait(false);
        var current = await GetActiveAsync(family, cancellation).ConfigureAwait(false);
        CheckExpected(family, current, expectedETag);
        IReadOnlyList<string> previous = current is null ? [] : [current.Version, .. current.Previous];
        return await SwapAsync(family, new Pointer(version, previous, time.GetUtcNow()), expectedETag, cancellation).ConfigureAwait(false);
    }

    public async Task<ActiveModel> RollbackAsync(string family, string expectedETag, CancellationToken cancellation = default)
    {
        family = StorageNames.Family(family);
        var current = await GetActiveAsync(family, cancellation).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"family '{family}' has no active version to roll back");
        CheckExpected(family, current, expectedETag);
        if (current.Previous.Count == 0)
        {
            throw new InvalidOperationException($"family '{family}' has no version before {current.Version}");
        }
        await DownloadWeightsAsync(family, current.Previous[0], Stream.Null, cancellation).ConfigureAwait(false);
        return await SwapAsync(family, new Pointer(current.Previous[0], [.. current.Previous.Skip(1)], time.GetUtcNow()), expectedETag, cancellation).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> PruneAsync(string family, int keepLatest, CancellationToken cancellation = default)
    {
        family = StorageNames.Family(family);
        ArgumentOutOfRangeException.ThrowIfNegative(keepLatest);
        var versions = await ListVersionsAsync(family, cancellation).ConfigureAwait(false);
        var byName = versions.ToDictionary(m => m.Version, StringComparer.Ordinal);
        var keep = new HashSet<string>(versions.TakeLast(keepLatest).Select(m => m.Version), StringComparer.Ordinal);
        if (await GetActiveAsync(family, cancellation).ConfigureAwait(false) is { } active)
        {
            keep.Add(active.Version);
            keep.UnionWith(active.Previous);
        }
        var pending = new Stack<string>(keep);
        while (pending.TryPop(out var version))
        {
            foreach (var parent in byName.TryGetValue(version, out var manifest) ? manifest.Parents : [])
            {
                if (keep.Add(parent))
                {
                    pending.Push(parent);
                }
            }
        }
        var deleted = versions.Select(m => m.Version).Where(v => !keep.Contains(v)).ToList();
        foreach (var version in deleted)
        {
            await DeleteVersionAsync(family, version, cancellation).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>Removes a version: its manifest first (so it is invisible at once), then its weights.</summary>
    protected abstract Task DeleteVersionAsync(string family, string version, CancellationToken cancellation);

    /// <summary>Manifest bytes, or null when the version has none (absent or an interrupted upload).</summary>
    protected abstract Task<byte[]?> ReadManifestAsync(string family, string version, CancellationToken cancellation);

    /// <summary>Creates the manifest only if absent; otherwise throws <see cref="RegistryConflictException"/>.</summary>
    protected abstract Task CreateManifestAsync(string family, string version, byte[] content, CancellationToken cancellation);

    /// <summary>Streams the weights in, replacing any partial upload of the same version.</summary>
    protected abstract Task UploadWeightsAsync(string family, string version, Stream weights, CancellationToken cancellation);

    protected abstract Task CopyWeightsAsync(string family, string version, Stream destination, CancellationToken cancellation);

    protected abstract Task<IReadOnlyList<string>> ListVersionNamesAsync(string family, CancellationToken cancellation);

    private async Task<ActiveModel> SwapAsync(string family, Pointer pointer, string? expectedETag, CancellationToken cancellation)
    {
        var etag = await pointers.TryWriteAsync(PointerName(family), JsonSerializer.SerializeToUtf8Bytes(pointer, Json), expectedETag, cancellation).ConfigureAwait(false)
            ?? throw new RegistryConflictException(
                $"the active pointer of '{family}' changed (expected ETag {expectedETag ?? "none"}); read it again");
        return new ActiveModel(pointer.Version, pointer.Previous, pointer.UpdatedUtc, etag);
    }

    private static void CheckExpected(string family, ActiveModel? current, string? expectedETag)
    {
        if (current?.ETag != expectedETag)
        {
            throw new RegistryConflictException(
                $"the active pointer of '{family}' changed (expected ETag {expectedETag ?? "none"}, found {current?.ETag ?? "none"}); read it again");
        }
    }

    private static string PointerName(string family) => $"models/{family}/active.json";

    private static ModelManifest Parse(byte[] bytes, string what) =>
        JsonSerializer.Deserialize<ModelManifest>(bytes, Json) ?? throw new InvalidDataException($"{what} is empty");

    private sealed record Pointer(string Version, IReadOnlyList<string> Previous, DateTimeOffset UpdatedUtc);
}
