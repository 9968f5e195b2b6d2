using System.Globalization;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Orchestration;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Activities;

/// <summary>
/// Launch: starts the attempt's training job, unless the launcher already has it (a replayed
/// step after a crash finds the job its first execution started): one job per attempt.
/// </summary>
public sealed class LaunchJobActivity(IJobLauncher launcher, TrainingJobOptions options) : TaskActivity<JobInput, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, JobInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = Spec(input, options);
        return await launcher.FindAsync(spec).ConfigureAwait(false) ?? await launcher.StartAsync(spec).ConfigureAwait(false);
    }

    /// <summary>The attempt's <c>metarec train</c> command: trains on the run's snapshot and registers the checkpoint as the attempt's name.</summary>
    public static JobSpec Spec(JobInput input, TrainingJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var request = input.Request;
        List<string> arguments =
        [
            "train", "--family", request.Family, "--snapshot-run", input.RunId, "--epochs", request.Epochs.ToString(CultureInfo.InvariantCulture),
            "--seed", request.Seed.ToString(CultureInfo.InvariantCulture), "--device", request.Device, "--out", "checkpoint", "--register", input.Name,
            .. options.StorageArguments,
        ];
        foreach (var (key, value) in request.Settings)
        {
            arguments.Add("--set");
            arguments.Add($"{key}={value}");
        }
        var environment = new Dictionary<string, string>(options.JobEnvironment ?? new Dictionary<string, string>()) { ["METAREC_RUN_ID"] = input.RunId };
        return new JobSpec(input.RunId, input.Attempt, arguments, environment);
    }
}

/// <summary>Monitor: one look at a job.</summary>
public sealed class JobStatusActivity(IJobLauncher launcher) : TaskActivity<string, JobState>
{
    public override Task<JobState> RunAsync(TaskActivityContext context, string input) => launcher.GetAsync(input);
}

/// <summary>Stops a job (cancel, deadline); a finished job is left as it is.</summary>
public sealed class StopJobActivity(IJobLauncher launcher) : TaskActivity<string, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, string input)
    {
        await launcher.StopAsync(input).ConfigureAwait(false);
        return $"job {input} stopped";
    }
}
