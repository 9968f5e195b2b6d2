using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Activities;

/// <summary>Refreshes the stored states of one shard's users with a promoted version (the serving app implements it).</summary>
public interface IShardRefresher
{
    /// <summary>Refreshes the shard; throws while this instance does not yet serve <see cref="Orchestration.RefreshShard.Version"/>, so the activity is retried.</summary>
    Task<string> RefreshAsync(Orchestration.RefreshShard shard, CancellationToken cancellation = default);
}

/// <summary>Refresh fan-out: one shard of the embedding refresh after a promotion.</summary>
public sealed class RefreshShardActivity(IShardRefresher refresher) : TaskActivity<Orchestration.RefreshShard, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, Orchestration.RefreshShard input) => refresher.RefreshAsync(input);
}
