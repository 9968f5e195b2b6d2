using MetaRec.Pipeline.Activities;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Orchestration;

/// <summary>The training orchestration's tasks, one list for every host that registers them.</summary>
public static class TrainingTasks
{
    /// <summary>The activities the orchestrator calls, by class; each is registered under its class name.</summary>
    public static readonly IReadOnlyList<Type> Activities =
    [
        typeof(SnapshotActivity),
        typeof(LaunchJobActivity),
        typeof(JobStatusActivity),
        typeof(StopJobActivity),
        typeof(EvaluateActivity),
        typeof(PromoteActivity),
        typeof(RefreshShardActivity),
    ];

    /// <summary>Registers the orchestrator and its activities (activities resolve their services from the worker's container).</summary>
    public static DurableTaskRegistry AddTrainingTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.AddOrchestrator<TrainingOrchestrator>();
        foreach (var activity in Activities)
        {
            registry.AddActivity(activity);
        }
        return registry;
    }
}
