namespace MetaRec.Storage.Snapshots;

/// <summary>Reading a run's snapshot back as an object (the dataset).</summary>
public static class SnapshotStoreExtensions
{
    /// <summary>
    /// Copies the run's snapshot to a temporary folder, reads it with <paramref name="read"/>
    /// (which must be done with the files when it returns) and deletes the copy.
    /// </summary>
    /// <exception cref="FileNotFoundException">The run has no complete snapshot.</exception>
    public static async Task<T> ReadAsync<T>(this ISnapshotStore store, string runId, Func<DownloadedSnapshot, T> read, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(read);
        var folder = Directory.CreateTempSubdirectory("metarec-snapshot-");
        try
        {
            return read(await store.DownloadAsync(runId, folder.FullName, cancellation).ConfigureAwait(false));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
