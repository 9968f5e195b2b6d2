using System.Text.Json;
using System.Text.Json.Serialization;
using MetaRec.Pipeline.Runs;

namespace MetaRec.Pipeline.Orchestration;

/// <summary>A run as the API shows it: where it is (or how it ended), its step history and metrics.</summary>
public sealed record TrainingRunView
{
    public required string Id { get; init; }

    /// <summary>The step it is at, or its final state.</summary>
    public required RunState State { get; init; }

    /// <summary>The Durable runtime status (Pending, Running, Completed, Failed, Terminated, ...).</summary>
    public required string RuntimeStatus { get; init; }

    public RunRequest? Request { get; init; }

    /// <summary>The custom status while running: step, attempt, job and last outcome.</summary>
    public TrainingStatus? Status { get; init; }

    /// <summary>The output once final.</summary>
    public TrainingResult? Result { get; init; }

    /// <summary>Why the run ended other than completed.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    public DateTimeOffset UpdatedUtc { get; init; }

    [JsonIgnore]
    public bool IsFinal => State is RunState.Completed or RunState.Rejected or RunState.Failed or RunState.Cancelled;

    /// <summary>How the API writes runs: web casing, enums as names.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Puts a Durable instance's parts together into a view.</summary>
    /// <param name="id">Instance id.</param>
    /// <param name="runtimeStatus">Durable's status name.</param>
    /// <param name="input">The orchestration's input, if read.</param>
    /// <param name="status">The custom status, if set.</param>
    /// <param name="result">The output, once completed.</param>
    /// <param name="failure">The failure message of a failed orchestration.</param>
    /// <param name="created">When the instance was created.</param>
    /// <param name="updated">When it last changed.</param>
    public static TrainingRunView From(string id, string runtimeStatus, TrainingInput? input, TrainingStatus? status, TrainingResult? result, string? failure, DateTimeOffset created, DateTimeOffset updated)
    {
        var state = runtimeStatus switch
        {
            "Completed" when result is not null => result.State,
            "Failed" => RunState.Failed,
            "Terminated" => RunState.Cancelled,
            _ => status?.Step ?? RunState.Snapshot,
        };
        var reason = runtimeStatus switch
        {
            "Completed" => result?.Reason,
            "Failed" => failure ?? "the orchestration failed",
            "Terminated" => "terminated",
            _ => null,
        };
        return new TrainingRunView { Id = id, State = state, RuntimeStatus = runtimeStatus, Request = input?.Request, Status = status, Result = result, Reason = reason, CreatedUtc = created, UpdatedUtc = updated };
    }
}

/// <summary>
/// Starts, reads and cancels training orchestrations, whatever the backend: the Functions host's
/// Durable client, the Durable Task Framework's client in the standalone host, or the in-process
/// test host.
/// </summary>
public interface ITrainingRunClient
{
    /// <summary>Schedules the orchestration under the id <paramref name="runId"/>.</summary>
    Task StartAsync(string runId, TrainingInput input, CancellationToken cancellation = default);

    /// <summary>The run, or null when there is no such instance.</summary>
    Task<TrainingRunView?> GetAsync(string runId, CancellationToken cancellation = default);

    /// <summary>Raises <see cref="TrainingOrchestrator.CancelEvent"/> on the run.</summary>
    Task CancelAsync(string runId, CancellationToken cancellation = default);
}
