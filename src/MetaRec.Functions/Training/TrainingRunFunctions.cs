using System.Text.Json;
using MetaRec.Core.Data;
using MetaRec.Functions.Hosting;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Serving;
using MetaRec.Pipeline;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Windows;

namespace MetaRec.Functions.Training;

/// <summary>Where the pipeline's messages go: the app's queues (standalone) or Storage queues the host triggers on.</summary>
public sealed record TrainingQueues(Standalone.IMessageQueue Advance, Standalone.IMessageQueue Refresh)
{
    /// <summary>Sends the message that performs a run's next step, visible after <paramref name="delay"/>.</summary>
    public Task AdvanceAsync(AdvanceMessage message, TimeSpan delay, CancellationToken cancellation) =>
        Advance.SendLaterAsync(JsonSerializer.Serialize(message, TrainingRun.Json), delay, cancellation);

    /// <summary>Sends a shard message of a promotion (the engine's fan-out step).</summary>
    public Task RefreshAsync(RefreshShard shard, CancellationToken cancellation) =>
        Refresh.SendLaterAsync(JsonSerializer.Serialize(shard, TrainingRun.Json), TimeSpan.Zero, cancellation);
}

/// <summary>
/// The training pipeline's functions. HTTP: <c>StartTrainingRun</c> (202 with a Location),
/// <c>GetTrainingRun</c>, <c>CancelTrainingRun</c>. Queue: <c>AdvanceTrainingRun</c> (one step
/// of one run, then the next message with its delay) and <c>RefreshEmbeddingsShard</c>.
/// Training itself runs in the job, never here.
/// </summary>
public sealed partial class TrainingRunFunctions(PipelineEngine engine, RunRepository runs, TrainingQueues queues, IUserWindowStore windows, InteractionProcessor processor, ActiveModelProvider models, Microsoft.Extensions.Options.IOptions<FunctionAppOptions> options, ILogger<TrainingRunFunctions> log)
{
    public static readonly JsonSerializerOptions Json = TrainingRun.Json;

    public async Task<FunctionResponse> StartAsync(string? body, CancellationToken cancellation)
    {
        RunRequest? request;
        try
        {
            request = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize<RunRequest>(body, Json);
        }
        catch (JsonException e)
        {
            return FunctionResponse.Problem(400, "Bad request", $"the body is not a run request: {e.Message}");
        }
        if (!options.Value.Training.IsConfigured)
        {
            return FunctionResponse.Problem(503, "Training is not configured", "set MetaRec:Training:Metarec to the metarec tool (metarec.dll) the local training job runs, or MetaRec:Training:Launcher to aca with its ContainerApps settings");
        }
        if (request is null)
        {
            return FunctionResponse.Problem(400, "Bad request", "the body must be a run request: {family, data, settings, epochs, device, metric, margin, seed, shards}");
        }
        try
        {
            var (run, first) = await engine.StartAsync(request with { Settings = request.Settings ?? new Dictionary<string, string>() }, cancellation).ConfigureAwait(false);
            await queues.AdvanceAsync(first, TimeSpan.Zero, cancellation).ConfigureAwait(false);
            LogStarted(log, run.Id, request.Family);
            return new FunctionResponse(202, run) { Headers = new Dictionary<string, string> { ["Location"] = $"/api/training-runs/{run.Id}" } };
        }
        catch (ArgumentException e)
        {
            return FunctionResponse.Problem(400, "Bad request", e.Message, new Dictionary<string, object?> { ["field"] = e.ParamName });
        }
        catch (KeyNotFoundException e)
        {
            return FunctionResponse.Problem(400, "Bad request", e.Message, new Dictionary<string, object?> { ["field"] = "family" });
        }
    }

    public async Task<FunctionResponse> GetAsync(string? runId, CancellationToken cancellation)
    {
        var run = await FindAsync(runId, cancellation).ConfigureAwait(false);
        return run is null ? NotFound(runId) : FunctionResponse.Ok(run);
    }

    public async Task<FunctionResponse> CancelAsync(string? runId, CancellationToken cancellation)
    {
        if (await FindAsync(runId, cancellation).ConfigureAwait(false) is null)
        {
            return NotFound(runId);
        }
        var (run, next) = await engine.CancelAsync(runId!, cancellation).ConfigureAwait(false);
        if (next is null)
        {
            return run!.CancelRequested && !run.IsFinal
                ? new FunctionResponse(202, run)
                : FunctionResponse.Problem(409, "Conflict", $"run {runId} is {run.State}: it can no longer be cancelled");
        }
        await queues.AdvanceAsync(next, TimeSpan.Zero, cancellation).ConfigureAwait(false);
        return new FunctionResponse(202, run!);
    }

    /// <summary>One step of one run; sends the next message. A malformed message throws <see cref="FormatException"/> (poison).</summary>
    public async Task<string> AdvanceAsync(string body, CancellationToken cancellation)
    {
        var message = Parse<AdvanceMessage>(body);
        var result = await engine.AdvanceAsync(message, cancellation).ConfigureAwait(false);
        if (result.Next is { } next)
        {
            await queues.AdvanceAsync(next, result.Delay, cancellation).ConfigureAwait(false);
        }
        LogAdvanced(log, message.RunId, message.Revision, result.Outcome);
        return result.Outcome;
    }

    /// <summary>
    /// Refreshes the users of one shard with the promoted version. Until this instance has loaded
    /// that version it throws, so the message is retried rather than refreshing with the old model.
    /// </summary>
    public async Task<string> RefreshShardAsync(string body, CancellationToken cancellation)
    {
        var message = Parse<RefreshShard>(body);
        if (!string.Equals(message.Family, models.Family, StringComparison.OrdinalIgnoreCase))
        {
            return $"shard {message.Shard} of {message.RunId}: this app serves {models.Family}, not {message.Family}; nothing to refresh";
        }
        if (models.Version != message.Version)
        {
            // Promoted moments ago: look at the pointer now rather than wait for the watcher's next poll.
            await models.RefreshAsync(cancellation).ConfigureAwait(false);
        }
        if (models.Version != message.Version)
        {
            throw new InvalidOperationException($"this instance serves {models.Version ?? "no model"}; shard {message.Shard} of run {message.RunId} waits for {message.Version}");
        }
        var refreshed = 0;
        var users = 0;
        await foreach (var user in windows.ListUsersAsync(cancellation).ConfigureAwait(false))
        {
            if (ShardOf(user, message.Shards) != message.Shard)
            {
                continue;
            }
            users++;
            if (await processor.RefreshAsync(user, cancellation).ConfigureAwait(false))
            {
                refreshed++;
            }
        }
        var outcome = $"shard {message.Shard}/{message.Shards} of {message.RunId}: {refreshed} of {users} users refreshed for {message.Version}";
        LogShard(log, outcome);
        return outcome;
    }

    /// <summary>Stable shard of a user id (FNV-1a over UTF-8), the same on every instance.</summary>
    public static int ShardOf(string userId, int shards) => StableHash.Bucket(userId, shards);

    private async Task<TrainingRun?> FindAsync(string? runId, CancellationToken cancellation)
    {
        try
        {
            return string.IsNullOrEmpty(runId) ? null : await runs.GetAsync(runId, cancellation).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            return null; // not a valid run id: no such run
        }
    }

    private static FunctionResponse NotFound(string? runId) => FunctionResponse.Problem(404, "Not found", $"no training run '{runId}'");

    private static T Parse<T>(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json) ?? throw new FormatException($"an empty {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "training run {RunId} started for {Family}")]
    private static partial void LogStarted(ILogger logger, string runId, string family);

    [LoggerMessage(Level = LogLevel.Information, Message = "training run {RunId} at revision {Revision}: {Outcome}")]
    private static partial void LogAdvanced(ILogger logger, string runId, long revision, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "embedding refresh: {Outcome}")]
    private static partial void LogShard(ILogger logger, string outcome);
}
