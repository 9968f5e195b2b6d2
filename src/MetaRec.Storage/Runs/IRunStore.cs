namespace MetaRec.Storage.Runs;

/// <summary>A stored run document: its id, its JSON and the ETag a replace must name.</summary>
public sealed record RunDocument(string Id, byte[] Json, string ETag);

/// <summary>
/// Training-run documents (JSON, one per run id) with optimistic concurrency: every write names
/// the ETag it read, so two workers advancing one run cannot both win. Two backends, one
/// behaviour: <see cref="FolderRunStore"/> and <see cref="BlobRunStore"/>. Layout:
/// <c>runs/{id}.json</c>.
/// </summary>
public interface IRunStore
{
    /// <summary>The run, or null when there is none.</summary>
    Task<RunDocument?> GetAsync(string id, CancellationToken cancellation = default);

    /// <summary>Stores a new run; null when a run with this id exists already (nothing is changed).</summary>
    Task<RunDocument?> CreateAsync(string id, byte[] json, CancellationToken cancellation = default);

    /// <summary>Replaces the run if it still has <paramref name="etag"/>; null when it changed meanwhile (nothing is written).</summary>
    Task<RunDocument?> TryReplaceAsync(string id, byte[] json, string etag, CancellationToken cancellation = default);

    /// <summary>Every run id, in no particular order.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellation = default);
}
