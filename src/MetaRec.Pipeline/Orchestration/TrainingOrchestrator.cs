using System.Globalization;
using MetaRec.Pipeline.Activities;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Runs;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Orchestration;

/// <summary>
/// A training run as a Durable orchestration: snapshot → launch the job → monitor it on durable
/// timers (with a deadline) → evaluate + quality gate → promote (compare-and-swap) → refresh
/// fan-out (one activity per shard, awaited together) → completed. The current step is the
/// custom status. A failed job is retried as a new attempt up to the schedule's limit; a step
/// that fails after its retry policy ends the run <see cref="RunState.Failed"/> with the reason.
/// Cancel is the external event <see cref="CancelEvent"/>: it stops the job and ends the run,
/// unless promotion has begun. Replay-safe: time only from the context, waits only on durable
/// timers, no I/O, GUIDs or randomness here; the activities do the work and are idempotent.
/// </summary>
public sealed class TrainingOrchestrator : TaskOrchestrator<TrainingInput, TrainingResult>
{
    /// <summary>The orchestration's name (the host registers it under this name).</summary>
    public const string Name = nameof(TrainingOrchestrator);

    /// <summary>The external event that asks a run to stop.</summary>
    public const string CancelEvent = "cancel";

    /// <summary>How often the gate is repeated when the active model keeps moving during promotion.</summary>
    private const int MaxGateRounds = 3;

    private static readonly TaskOptions StepRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30)));

    // A shard waits for every instance to load the promoted version: more patience.
    private static readonly TaskOptions RefreshRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(6, TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30)));

    public override async Task<TrainingResult> RunAsync(TaskOrchestrationContext context, TrainingInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var run = new Progress(context);
        using var stopWaiting = new CancellationTokenSource();
        var cancel = context.WaitForExternalEvent<string>(CancelEvent, stopWaiting.Token);
        try
        {
            var result = await RunStepsAsync(context, input, run, cancel).ConfigureAwait(true);
            stopWaiting.Cancel();
            return result;
        }
        catch (TaskFailedException e)
        {
            stopWaiting.Cancel();
            var reason = $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";
            return run.End(RunState.Failed, reason);
        }
    }

    private static async Task<TrainingResult> RunStepsAsync(TaskOrchestrationContext context, TrainingInput input, Progress run, Task<string> cancel)
    {
        var request = input.Request;
        var schedule = input.Schedule;

        run.At(RunState.Snapshot);
        var snapshot = await context.CallActivityAsync<SnapshotResult>(nameof(SnapshotActivity), new SnapshotInput(context.InstanceId, request.Data, request.Seed, input.Log), StepRetry).ConfigureAwait(true);
        run.Done(snapshot.Outcome);
        if (cancel.IsCompleted)
        {
            return run.End(RunState.Cancelled, "cancelled on request");
        }

        var attempt = 0;
        var succeeded = false;
        // Bounded loops: at most MaxAttempts jobs, each polled at most Deadline / PollInterval times.
        var maxPolls = (int)Math.Ceiling(schedule.Deadline / schedule.PollInterval);
        while (!succeeded && attempt < schedule.MaxAttempts)
        {
            attempt++;
            var job = new JobInput(context.InstanceId, attempt, request);
            run.At(RunState.Launch, attempt);
            var jobId = await context.CallActivityAsync<string>(nameof(LaunchJobActivity), job, StepRetry).ConfigureAwait(true);
            run.Done($"attempt {attempt}: job {jobId} started", jobId);

            run.At(RunState.Monitor, attempt, jobId);
            var deadline = context.CurrentUtcDateTime + schedule.Deadline;
            JobState? state = null;
            for (var poll = 0; poll < maxPolls && context.CurrentUtcDateTime < deadline; poll++)
            {
                using var timerCancel = new CancellationTokenSource();
                var timer = context.CreateTimer(context.CurrentUtcDateTime + schedule.PollInterval, timerCancel.Token);
                if (await Task.WhenAny(timer, cancel).ConfigureAwait(true) == cancel)
                {
                    timerCancel.Cancel();
                    await context.CallActivityAsync(nameof(StopJobActivity), jobId, StepRetry).ConfigureAwait(true);
                    run.Done($"job {jobId} stopped");
                    return run.End(RunState.Cancelled, "cancelled on request");
                }
                state = await context.CallActivityAsync<JobState>(nameof(JobStatusActivity), jobId, StepRetry).ConfigureAwait(true);
                if (state.Status != JobStatus.Running)
                {
                    break;
                }
            }
            if (state is null || state.Status == JobStatus.Running)
            {
                await context.CallActivityAsync(nameof(StopJobActivity), jobId, StepRetry).ConfigureAwait(true);
                var late = string.Create(CultureInfo.InvariantCulture, $"job {jobId} did not finish within its deadline of {schedule.Deadline}; stopped (attempt {attempt} of {schedule.MaxAttempts})");
                run.Done(late);
                return run.End(RunState.Failed, late);
            }
            if (state.Status == JobStatus.Succeeded)
            {
                run.Done($"job {jobId} succeeded");
                succeeded = true;
                continue;
            }
            var failed = $"attempt {attempt} (job {jobId}) {state.Status}: {state.Detail}";
            if (attempt >= schedule.MaxAttempts)
            {
                run.Done(failed);
                return run.End(RunState.Failed, $"job {jobId} {state.Status}: {state.Detail} (attempt {attempt} of {schedule.MaxAttempts})");
            }
            run.Done(failed + "; retrying");
        }

        var version = JobSpec.NameOf(context.InstanceId, attempt);
        run.Version = version;
        for (var round = 1; round <= MaxGateRounds; round++)
        {
            if (cancel.IsCompleted)
            {
                return run.End(RunState.Cancelled, "cancelled on request");
            }
            run.At(RunState.Evaluate, attempt);
            var verdict = await context.CallActivityAsync<GateVerdict>(nameof(EvaluateActivity), new EvaluateInput(context.InstanceId, version, snapshot.Fingerprint, request), StepRetry).ConfigureAwait(true);
            run.Metrics = verdict.Metrics;
            run.Incumbent = verdict.Incumbent;
            run.Done(verdict.Verdict);
            if (verdict.Invalid)
            {
                return run.End(RunState.Failed, verdict.Verdict);
            }
            if (!verdict.Passes)
            {
                return run.End(RunState.Rejected, verdict.Verdict);
            }
            if (cancel.IsCompleted)
            {
                return run.End(RunState.Cancelled, "cancelled on request (before promotion)");
            }

            // From here on the run is past cancelling: promotion and refresh always finish.
            run.At(RunState.Promote, attempt);
            var promoted = await context.CallActivityAsync<PromoteResult>(nameof(PromoteActivity), new PromoteInput(request.Family, version, verdict.Incumbent), StepRetry).ConfigureAwait(true);
            run.Done(promoted.Outcome);
            if (promoted.Promoted)
            {
                return await RefreshAsync(context, request, version, run).ConfigureAwait(true);
            }
        }
        return run.End(RunState.Failed, $"the active model moved during promotion {MaxGateRounds} times; giving up");
    }

    private static async Task<TrainingResult> RefreshAsync(TaskOrchestrationContext context, RunRequest request, string version, Progress run)
    {

        run.At(RunState.Refresh, run.Attempt);
        var shards = Enumerable.Range(0, request.Shards)
            .Select(shard => context.CallActivityAsync<string>(nameof(RefreshShardActivity), new RefreshShard(context.InstanceId, request.Family, version, shard, request.Shards), RefreshRetry))
            .ToList();
        var outcomes = await Task.WhenAll(shards).ConfigureAwait(true);
        run.Done($"embedding refresh in {outcomes.Length} shards: {string.Join("; ", outcomes)}");
        return run.End(RunState.Completed, null);
    }

    /// <summary>The run's history as the orchestrator builds it, mirrored into the custom status.</summary>
    private sealed class Progress(TaskOrchestrationContext context)
    {
        private readonly List<StepRecord> _steps = [];
        private RunState _step = RunState.Snapshot;
        private int _attempt;

        public int Attempt => _attempt;
        private string? _jobId;

        public string? Version { get; set; }

        public string? Incumbent { get; set; }

        public IReadOnlyDictionary<string, double> Metrics { get; set; } = new Dictionary<string, double>();

        public void At(RunState step, int attempt = 0, string? jobId = null)
        {
            _step = step;
            _attempt = attempt;
            _jobId = jobId ?? (step == RunState.Monitor ? _jobId : null);
            context.SetCustomStatus(new TrainingStatus(step, attempt, _jobId, _steps.Count > 0 ? _steps[^1].Outcome : null));
        }

        public void Done(string outcome, string? jobId = null)
        {
            _jobId = jobId ?? _jobId;
            _steps.Add(new StepRecord(_step, context.CurrentUtcDateTime, outcome));
            context.SetCustomStatus(new TrainingStatus(_step, _attempt, _jobId, outcome));
        }

        public TrainingResult End(RunState state, string? reason)
        {
            context.SetCustomStatus(new TrainingStatus(state, _attempt, _jobId, reason ?? (_steps.Count > 0 ? _steps[^1].Outcome : null)));
            return new TrainingResult(state, reason, Metrics, Version, Incumbent, [.. _steps]);
        }
    }
}
