using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace MetaRec.Pipeline.Orchestration;

/// <summary>Training runs through the Durable Task SDK's client: the Functions host's <c>[DurableClient]</c>, or the in-process test host's.</summary>
public sealed class DurableTrainingRunClient(DurableTaskClient client) : ITrainingRunClient
{
    public Task StartAsync(string runId, TrainingInput input, CancellationToken cancellation = default) =>
        client.ScheduleNewOrchestrationInstanceAsync(new TaskName(TrainingOrchestrator.Name), input, new StartOrchestrationOptions(runId), cancellation);

    public async Task<TrainingRunView?> GetAsync(string runId, CancellationToken cancellation = default)
    {
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellation).ConfigureAwait(false);
        if (instance is null)
        {
            return null;
        }
        var status = instance.RuntimeStatus.ToString();
        return TrainingRunView.From(
            runId,
            status,
            instance.ReadInputAs<TrainingInput>(),
            instance.SerializedCustomStatus is null ? null : instance.ReadCustomStatusAs<TrainingStatus>(),
            instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<TrainingResult>() : null,
            instance.FailureDetails?.ErrorMessage,
            instance.CreatedAt,
            instance.LastUpdatedAt);
    }

    public Task CancelAsync(string runId, CancellationToken cancellation = default) =>
        client.RaiseEventAsync(runId, TrainingOrchestrator.CancelEvent, "cancel", cancellation);
}
