namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// One attempt of a run's training job: the <c>metarec train</c> arguments and environment.
/// <see cref="Name"/> (<c>{runId}-a{attempt}</c>) identifies the attempt everywhere, so a
/// launcher can tell whether it already started it.
/// </summary>
public sealed record JobSpec(string RunId, int Attempt, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The variable every launcher sets to <see cref="Name"/> in the job's environment.</summary>
    public const string AttemptVariable = "METAREC_JOB_ATTEMPT";

    public string Name => NameOf(RunId, Attempt);

    /// <summary><c>{runId}-a{attempt}</c>: the attempt's job name and the version its checkpoint is registered as.</summary>
    public static string NameOf(string runId, int attempt) => $"{runId}-a{attempt}";
}

/// <summary>Where a job is.</summary>
public enum JobStatus
{
    /// <summary>Started, not finished (includes queued or provisioning).</summary>
    Running,

    /// <summary>Finished with exit code 0.</summary>
    Succeeded,

    /// <summary>Finished otherwise, or lost.</summary>
    Failed,

    /// <summary>Stopped on request.</summary>
    Stopped,
}

/// <summary>A job's status, its exit code when known, and a line saying why.</summary>
public sealed record JobState(JobStatus Status, int? ExitCode, string Detail);

/// <summary>
/// Starts, watches and stops training jobs. Implementations: <c>local</c> (a child process on
/// this machine, the embedded default) and <c>aca</c> (an Azure Container Apps job execution
/// through the ARM REST API). The pipeline records every job id it gets back, and before
/// starting an attempt again after a crash asks <see cref="FindAsync"/>, so an attempt runs at
/// most one job.
/// </summary>
public interface IJobLauncher
{
    /// <summary>"local" or "aca".</summary>
    string Name { get; }

    /// <summary>Starts the attempt; returns the launcher's job id.</summary>
    Task<string> StartAsync(JobSpec spec, CancellationToken cancellation = default);

    /// <summary>The job id of an attempt started earlier (by this or another instance), or null.</summary>
    Task<string?> FindAsync(JobSpec spec, CancellationToken cancellation = default);

    Task<JobState> GetAsync(string jobId, CancellationToken cancellation = default);

    /// <summary>Asks the job to stop; a finished job is left as it is.</summary>
    Task StopAsync(string jobId, CancellationToken cancellation = default);
}
