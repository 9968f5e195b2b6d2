namespace MetaRec.Storage.Snapshots;

/// <summary>
/// Training runs' data snapshots in storage: a copy of the dataset's files and the run's
/// snapshot manifest (the caller's JSON: path, fingerprint, counts), so the training job reads
/// exactly the data the pipeline saw, wherever it runs, through the storage it registers its
/// checkpoint in. The manifest is written last: a snapshot without one is incomplete and
/// reads as absent.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>
    /// Copies the dataset at <paramref name="dataPath"/> (a folder's top-level files, or one
    /// file) into the run's snapshot, then writes <paramref name="manifest"/>. Putting the same
    /// run again replaces it (a retried step).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing at <paramref name="dataPath"/>.</exception>
    Task PutAsync(string runId, string dataPath, byte[] manifest, CancellationToken cancellation = default);

    /// <summary>The run's manifest, or null when there is no complete snapshot.</summary>
    Task<byte[]?> GetManifestAsync(string runId, CancellationToken cancellation = default);

    /// <summary>Copies the run's data into <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">The run has no complete snapshot.</exception>
    Task<DownloadedSnapshot> DownloadAsync(string runId, string folder, CancellationToken cancellation = default);
}

/// <summary>A snapshot copied to local disk.</summary>
/// <param name="DataPath">The copy of the data: the folder, or the one file in it when the data was one file.</param>
/// <param name="Manifest">The run's manifest.</param>
public sealed record DownloadedSnapshot(string DataPath, byte[] Manifest);
