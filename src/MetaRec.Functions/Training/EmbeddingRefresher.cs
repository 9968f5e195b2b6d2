using MetaRec.Functions.Interactions;
using MetaRec.Functions.Serving;
using MetaRec.Pipeline.Activities;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Storage.Windows;

namespace MetaRec.Functions.Training;

/// <summary>
/// The refresh fan-out's work in the serving app: recomputes the stored state of one shard's
/// users with the promoted version. Until this instance has loaded that version it throws, so
/// the activity is retried rather than refreshing with the old model.
/// </summary>
public sealed partial class EmbeddingRefresher(IUserWindowStore windows, InteractionProcessor processor, ActiveModelProvider models, ILogger<EmbeddingRefresher> log) : IShardRefresher
{
    public async Task<string> RefreshAsync(RefreshShard shard, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (!string.Equals(shard.Family, models.Family, StringComparison.OrdinalIgnoreCase))
        {
            return $"shard {shard.Shard}: this app serves {models.Family}, not {shard.Family}; nothing to refresh";
        }
        if (models.Version != shard.Version)
        {
            // Promoted moments ago: look at the pointer now rather than wait for the watcher's next poll.
            await models.RefreshAsync(cancellation).ConfigureAwait(false);
        }
        if (models.Version != shard.Version)
        {
            throw new InvalidOperationException($"this instance serves {models.Version ?? "no model"}; shard {shard.Shard} of run {shard.RunId} waits for {shard.Version}");
        }
        var refreshed = 0;
        var users = 0;
        // Only this shard's users are listed (their windows are stored under the shard's hash buckets).
        await foreach (var user in windows.ListUsersAsync(shard.Shard, shard.Shards, cancellation).ConfigureAwait(false))
        {
            users++;
            if (await processor.RefreshAsync(user, cancellation).ConfigureAwait(false))
            {
                refreshed++;
            }
        }
        var outcome = $"shard {shard.Shard}/{shard.Shards}: {refreshed} of {users} users refreshed for {shard.Version}";
        LogShard(log, shard.RunId, outcome);
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "embedding refresh of run {RunId}: {Outcome}")]
    private static partial void LogShard(ILogger logger, string runId, string outcome);
}
