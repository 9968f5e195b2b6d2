using DurableTask.Core;
using MetaRec.Pipeline.Orchestration;

namespace MetaRec.Functions.Standalone.Durable;

/// <summary>
/// Training runs through the Durable Task Framework's <see cref="TaskHubClient"/> (the standalone
/// host): no client shim of the Durable Task SDK is served, so this reads the framework's
/// orchestration state into the same <see cref="TrainingRunView"/> the Functions host shows.
/// </summary>
public sealed class FrameworkTrainingRunClient(FrameworkDurableBackend backend) : ITrainingRunClient
{
    public async Task StartAsync(string runId, TrainingInput input, CancellationToken cancellation = default)
    {
        var client = await backend.ClientAsync(cancellation).ConfigureAwait(false);
        await client.CreateOrchestrationInstanceAsync(TrainingOrchestrator.Name, string.Empty, runId, input).ConfigureAwait(false);
    }

    public async Task<TrainingRunView?> GetAsync(string runId, CancellationToken cancellation = default)
    {
        var client = await backend.ClientAsync(cancellation).ConfigureAwait(false);
        var state = await client.GetOrchestrationStateAsync(runId).ConfigureAwait(false);
        if (state is null)
        {
            return null;
        }
        var status = state.OrchestrationStatus switch
        {
            OrchestrationStatus.ContinuedAsNew => "Running",
            var other => other.ToString(),
        };
        return TrainingRunView.From(
            runId,
            status,
            Read<TrainingInput>(state.Input),
            Read<TrainingStatus>(state.Status),
            state.OrchestrationStatus == OrchestrationStatus.Completed ? Read<TrainingResult>(state.Output) : null,
            state.FailureDetails?.ErrorMessage ?? (state.OrchestrationStatus == OrchestrationStatus.Failed ? state.Output : null),
            new DateTimeOffset(DateTime.SpecifyKind(state.CreatedTime, DateTimeKind.Utc)),
            new DateTimeOffset(DateTime.SpecifyKind(state.LastUpdatedTime, DateTimeKind.Utc)));
    }

    public async Task CancelAsync(string runId, CancellationToken cancellation = default)
    {
        var client = await backend.ClientAsync(cancellation).ConfigureAwait(false);
        await client.RaiseEventAsync(new OrchestrationInstance { InstanceId = runId }, TrainingOrchestrator.CancelEvent, "cancel").ConfigureAwait(false);
    }

    private static T? Read<T>(string? json) where T : class =>
        string.IsNullOrEmpty(json) ? null : (T?)FrameworkDurableBackend.Converter.Deserialize(json, typeof(T));
}
