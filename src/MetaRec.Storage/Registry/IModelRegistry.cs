namespace MetaRec.Storage.Registry;

/// <summary>
/// Model families, their immutable versions (manifest + weights) and one active pointer per
/// family that changes only by compare-and-swap. Two backends, one behaviour:
/// <see cref="FolderModelRegistry"/> and <see cref="BlobModelRegistry"/>.
/// Layout: <c>models/{family}/{version}/manifest.json</c>, <c>.../weights.bin</c>,
/// <c>models/{family}/active.json</c>.
/// </summary>
public interface IModelRegistry
{
    /// <summary>
    /// Stores a new version: streams <paramref name="weights"/> (hashing as it goes), then writes
    /// the manifest with the hash. A version is visible only once its manifest exists, so an
    /// interrupted upload leaves nothing visible and the same version can be uploaded again.
    /// </summary>
    /// <exception cref="RegistryConflictException">The version already exists (versions are immutable).</exception>
    Task<ModelManifest> RegisterAsync(ModelManifest manifest, Stream weights, CancellationToken cancellation = default);

    Task<IReadOnlyList<string>> ListFamiliesAsync(CancellationToken cancellation = default);

    /// <summary>Versions with a manifest, ordered by creation time.</summary>
    Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(string family, CancellationToken cancellation = default);

    /// <exception cref="KeyNotFoundException">No such version.</exception>
    Task<ModelManifest> GetManifestAsync(string family, string version, CancellationToken cancellation = default);

    /// <summary>Copies the weights to <paramref name="destination"/> and verifies them against the manifest.</summary>
    /// <exception cref="CorruptCheckpointException">The weights' hash or length differs from the manifest.</exception>
    Task<ModelManifest> DownloadWeightsAsync(string family, string version, Stream destination, CancellationToken cancellation = default);

    /// <summary>The active version, or null when none was promoted.</summary>
    Task<ActiveModel?> GetActiveAsync(string family, CancellationToken cancellation = default);

    /// <summary>
    /// Makes <paramref name="version"/> active after verifying its weights, if the pointer's ETag is
    /// still <paramref name="expectedETag"/> (null: no version may be active yet).
    /// </summary>
    /// <exception cref="RegistryConflictException">The pointer changed since it was read.</exception>
    /// <exception cref="CorruptCheckpointException">The version's weights do not verify.</exception>
    Task<ActiveModel> PromoteAsync(string family, string version, string? expectedETag, CancellationToken cancellation = default);

    /// <summary>
    /// Deletes old versions, keeping the <paramref name="keepLatest"/> newest, the active one,
    /// the versions the pointer can roll back to, and every version those reference through
    /// <see cref="ModelManifest.Parents"/> (transitively). Returns the deleted versions.
    /// </summary>
    Task<IReadOnlyList<string>> PruneAsync(string family, int keepLatest, CancellationToken cancellation = default);

    /// <summary>Makes the previously active version active again (compare-and-swap like promote).</summary>
    /// <exception cref="InvalidOperationException">There is no previous version.</exception>
    Task<ActiveModel> RollbackAsync(string family, string expectedETag, CancellationToken cancellation = default);
}
