using System.Text.Json;
using System.Text.Json.Serialization;
using MetaRec.Core.Tensors;

namespace MetaRec.Pipeline.Runs;

/// <summary>The step a run is at; the last four are final.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    Snapshot,
    Launch,
    Monitor,
    Evaluate,
    Promote,
    Refresh,
    Completed,
    Rejected,
    Failed,
    Cancelled,
}

/// <summary>What a user asks for when starting a run.</summary>
/// <param name="Family">Model family to train.</param>
/// <param name="Data">Dataset to train on: a path the app can read; the snapshot step copies it into storage, and the job trains on that copy.</param>
/// <param name="Settings">Model settings (<c>--set</c>).</param>
/// <param name="Epochs">Most epochs of the job.</param>
/// <param name="Device">Where the job trains: cpu, cuda or cuda:N (<c>metarec train --device</c>); the pipeline refuses devices its jobs do not offer.</param>
/// <param name="Metric">Validation metric of the quality gate: auc, gauc or logloss.</param>
/// <param name="Margin">How much the candidate must beat the active model by.</param>
/// <param name="Seed">Seed of the split (held-out users) and the model.</param>
/// <param name="Shards">Embedding-refresh shards fanned out after promotion.</param>
public sealed record RunRequest(
    string Family,
    string Data,
    IReadOnlyDictionary<string, string> Settings,
    int Epochs = 10,
    string Device = "cpu",
    string Metric = "auc",
    double Margin = 0,
    int Seed = 1,
    int Shards = 4)
{
    /// <exception cref="ArgumentException">Naming the bad field.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Family))
        {
            throw new ArgumentException("family is required", nameof(Family));
        }
        if (string.IsNullOrWhiteSpace(Data))
        {
            throw new ArgumentException("data is required", nameof(Data));
        }
        if (Epochs is < 1 or > 1000)
        {
            throw new ArgumentException($"epochs must be in [1, 1000], not {Epochs}", nameof(Epochs));
        }
        try
        {
            new TorchBackend(Device ?? string.Empty).ToDevice();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message, nameof(Device), e);
        }
        if (Metric is not ("auc" or "gauc" or "logloss"))
        {
            throw new ArgumentException($"metric must be auc, gauc or logloss, not '{Metric}'", nameof(Metric));
        }
        if (Margin is < 0 or > 1 || double.IsNaN(Margin))
        {
            throw new ArgumentException($"margin must be in [0, 1], not {Margin}", nameof(Margin));
        }
        if (Shards is < 1 or > 1024)
        {
            throw new ArgumentException($"shards must be in [1, 1024], not {Shards}", nameof(Shards));
        }
    }
}

/// <summary>One step's outcome in a run's history.</summary>
public sealed record StepRecord(RunState Step, DateTimeOffset At, string Outcome);

/// <summary>The job of the current attempt: the launcher that runs it and its job id.</summary>
public sealed record JobRecord(string Launcher, int Attempt, string? JobId, DateTimeOffset Requested);

/// <summary>
/// A training run as stored: the request, the state, every step's outcome, the metrics, the
/// current job and the candidate version. Each change is written with the ETag it was read at.
/// </summary>
public sealed record TrainingRun
{
    public required string Id { get; init; }

    public required RunRequest Request { get; init; }

    public RunState State { get; init; } = RunState.Snapshot;

    public IReadOnlyList<StepRecord> Steps { get; init; } = [];

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Data fingerprint recorded by the snapshot step.</summary>
    public string? Snapshot { get; init; }

    public JobRecord? Job { get; init; }

    /// <summary>The active version the quality gate compared the candidate with (null: nothing was active).</summary>
    public string? Incumbent { get; init; }

    /// <summary>Why a run ended other than completed (rejected, failed, cancelled).</summary>
    public string? Reason { get; init; }

    public bool CancelRequested { get; init; }

    /// <summary>Bumped by every write, so the stored document always changes.</summary>
    public long Revision { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    public DateTimeOffset UpdatedUtc { get; init; }

    [JsonIgnore]
    public bool IsFinal => State is RunState.Completed or RunState.Rejected or RunState.Failed or RunState.Cancelled;

    /// <summary>
    /// The run moved to <paramref name="next"/> with <paramref name="outcome"/> recorded for the
    /// current step (stamped with the write's time by <see cref="RunRepository"/>).
    /// </summary>
    public TrainingRun Moved(RunState next, string outcome) =>
        this with { State = next, Steps = [.. Steps, new StepRecord(State, default, outcome)] };

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
