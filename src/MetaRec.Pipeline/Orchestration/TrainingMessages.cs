using System.Text.Json.Serialization;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Interactions;

namespace MetaRec.Pipeline.Orchestration;

/// <summary>
/// What an orchestration starts with: the user's request and the schedule it runs on. The
/// schedule is part of the input, not read from settings inside the orchestrator, so a replay
/// always sees the values the run started with.
/// </summary>
/// <param name="Request">The validated request; its data, if any, an absolute path.</param>
/// <param name="Schedule">The pacing of the run.</param>
/// <param name="Log">The interaction log's watermark when the run started: the snapshot takes every logged event up to it.</param>
public sealed record TrainingInput(RunRequest Request, TrainingSchedule Schedule, SnapshotManifest Log);

/// <summary>How the orchestrator paces a run.</summary>
/// <param name="PollInterval">Durable-timer wait between two looks at a running job.</param>
/// <param name="Deadline">Longest a job attempt may run before it is stopped and the run fails.</param>
/// <param name="MaxAttempts">Job attempts before the run fails.</param>
public sealed record TrainingSchedule(TimeSpan PollInterval, TimeSpan Deadline, int MaxAttempts)
{
    /// <exception cref="ArgumentException">Naming the bad setting.</exception>
    public void Validate()
    {
        if (PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"PollInterval must be positive, not {PollInterval}", nameof(PollInterval));
        }
        if (Deadline < PollInterval)
        {
            throw new ArgumentException($"Deadline ({Deadline}) must be at least PollInterval ({PollInterval})", nameof(Deadline));
        }
        if (MaxAttempts is < 1 or > 10)
        {
            throw new ArgumentException($"MaxAttempts must be in [1, 10], not {MaxAttempts}", nameof(MaxAttempts));
        }
    }
}

/// <summary>The orchestration's custom status: the step it is at, the attempt and its job, and the last outcome.</summary>
public sealed record TrainingStatus(RunState Step, int Attempt, string? JobId, string? Outcome);

/// <summary>One step's outcome in a run's history, stamped with the orchestration's (replay-safe) clock.</summary>
public sealed record StepRecord(RunState Step, DateTime At, string Outcome);

/// <summary>How a run ended: its final state, why (unless completed), the gate's metrics and the versions.</summary>
public sealed record TrainingResult(
    RunState State,
    string? Reason,
    IReadOnlyDictionary<string, double> Metrics,
    string? Version,
    string? Incumbent,
    IReadOnlyList<StepRecord> Steps);

/// <summary>The snapshot step's input: the run, its base dataset (null: none) and the log watermark it started at.</summary>
public sealed record SnapshotInput(string RunId, string? Data, int Seed, SnapshotManifest Log);

/// <summary>What the snapshot step stored: the data's fingerprint and counts, and how many interactions came from the log.</summary>
public sealed record SnapshotResult(string Fingerprint, int Users, int Items, int Interactions, string Outcome, int LogInteractions = 0);

/// <summary>One job attempt of a run (the job's name and the candidate version are <see cref="JobSpec.NameOf"/>).</summary>
public sealed record JobInput(string RunId, int Attempt, RunRequest Request)
{
    [JsonIgnore]
    public string Name => JobSpec.NameOf(RunId, Attempt);
}

/// <summary>The quality gate's input: the candidate version and what it is judged on.</summary>
public sealed record EvaluateInput(string RunId, string Version, string Snapshot, RunRequest Request);

/// <summary>The gate's verdict and the metrics behind it.</summary>
public sealed record GateVerdict(bool Passes, string Verdict, IReadOnlyDictionary<string, double> Metrics, string? Incumbent, bool Invalid = false);

/// <summary>Promotion of the candidate over the incumbent the gate judged against.</summary>
public sealed record PromoteInput(string Family, string Version, string? Incumbent);

/// <summary>Whether the candidate is active now, or the active model moved since the gate (judge again).</summary>
public sealed record PromoteResult(bool Promoted, bool IncumbentChanged, string Outcome);

/// <summary>One shard of the embedding refresh after a promotion: the users whose id hashes to it, refreshed for the promoted version.</summary>
public sealed record RefreshShard(string RunId, string Family, string Version, int Shard, int Shards);
