using MetaRec.Storage.Embeddings;

namespace MetaRec.Functions.Serving;

/// <summary>
/// A user's stored state, but only when it belongs to the model serving the request: a state of
/// another version or size is never used; the request takes the cold path and it is logged.
/// </summary>
public sealed partial class UserStates(IEmbeddingStore store, ILogger<UserStates> log)
{
    /// <summary>The stored state to score <paramref name="userId"/> with under <paramref name="model"/>, or null for the cold path.</summary>
    public async Task<UserEmbedding?> ForScoringAsync(ServedModel model, string userId, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(model);
        var stored = await store.GetAsync(model.Manifest.Family, userId, cancellation).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }
        if (stored.ModelVersion != model.Version)
        {
            LogOtherVersion(log, userId, stored.ModelVersion, model.Version);
            return null;
        }
        if (stored.Values.Length != model.StateSize)
        {
            LogWrongSize(log, userId, stored.Values.Length, model.StateSize, model.Version);
            return null;
        }
        return stored;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "user {UserId}: stored state is for version {Stored}, serving {Serving}: cold path until it is refreshed")]
    private static partial void LogOtherVersion(ILogger logger, string userId, string stored, string serving);

    [LoggerMessage(Level = LogLevel.Warning, Message = "user {UserId}: stored state has {Size} floats, {Version} uses {Expected}: cold path until it is refreshed")]
    private static partial void LogWrongSize(ILogger logger, string userId, int size, int expected, string version);
}
