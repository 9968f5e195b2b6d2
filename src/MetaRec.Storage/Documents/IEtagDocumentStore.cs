namespace MetaRec.Storage.Documents;

/// <summary>
/// Small documents (a window, an active pointer) changed only by compare-and-swap on an opaque
/// ETag, so concurrent writers of one document see exactly one winner and the others learn they
/// lost instead of overwriting. Names are '/'-separated paths relative to the store's root
/// (<c>windows/3f/u-1.json</c>); checking them is the caller's job. Each backend has one ETag
/// scheme and maps its own conflict signals to a null result here, once.
/// </summary>
public interface IEtagDocumentStore
{
    /// <summary>The document's bytes and ETag, or null when there is none.</summary>
    Task<EtagDocument?> ReadAsync(string name, CancellationToken cancellation = default);

    /// <summary>
    /// Writes <paramref name="content"/> if the stored document's ETag is still
    /// <paramref name="expectedETag"/>, or, with null, only if there is no document yet
    /// (create-only). Returns the new ETag, or null when the condition no longer holds
    /// (another writer got in first).
    /// </summary>
    Task<string?> TryWriteAsync(string name, byte[] content, string? expectedETag, CancellationToken cancellation = default);

    /// <summary>
    /// Removes the document if it exists and, given <paramref name="expectedETag"/>, only if that
    /// is still its ETag. Returns whether a document was removed.
    /// </summary>
    Task<bool> DeleteAsync(string name, string? expectedETag = null, CancellationToken cancellation = default);
}
