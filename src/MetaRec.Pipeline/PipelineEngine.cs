using System.Globalization;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Snapshots;

namespace MetaRec.Pipeline;

/// <summary>A queue message that advances a run: it names the revision it was sent for.</summary>
public sealed record AdvanceMessage(string RunId, long Revision);

/// <summary>One shard of the embedding refresh after a promotion: the users whose id hashes to it, refreshed for the promoted version.</summary>
public sealed record RefreshShard(string RunId, string Family, string Version, int Shard, int Shards);

/// <summary>What an advance did: the message to send next (with its delay), or none when the run is final or the message was stale.</summary>
public sealed record AdvanceResult(AdvanceMessage? Next, TimeSpan Delay, string Outcome);

/// <summary>Pipeline settings.</summary>
/// <param name="PollInterval">Delay between two looks at a running job.</param>
/// <param name="MaxAttempts">Job attempts before a run fails.</param>
/// <param name="CrashAt">
/// Fault injection for crash tests, off when null: the process dies (<see cref="Environment.FailFast(string)"/>)
/// at this point: <c>{State}:before-write</c> (the step's work done, its state change not yet
/// written), <c>{State}:after-write</c> (written, the next message not yet sent),
/// <c>Launch:after-start</c> (job started, its id not recorded), <c>Promote:after-promote</c>
/// (pointer moved, not recorded).
/// </param>
/// <param name="StorageArguments">The <c>metarec</c> storage flags that reach this app's registry (e.g. <c>--storage-folder DIR</c>): the job registers its checkpoint there.</param>
/// <param name="JobEnvironment">Environment the job gets (e.g. the storage connection string, kept off its command line).</param>
public sealed record PipelineOptions(TimeSpan PollInterval, IReadOnlyList<string> StorageArguments, IReadOnlyDictionary<string, string>? JobEnvironment = null, int MaxAttempts = 2, string? CrashAt = null)
{
    /// <summary>Devices the jobs can train on (a request for another is refused); by default the CPU only.</summary>
    public IReadOnlyList<string> Devices { get; init; } = ["cpu"];
}

/// <summary>
/// The training pipeline as a persisted state machine, the monitor pattern over an external job:
/// snapshot → launch → monitor → evaluate + quality gate → promote → refresh fan-out →
/// completed. Each <see cref="AdvanceAsync"/> performs one step of one run and returns the
/// message that performs the next. Every step is idempotent and every state change is written
/// with the ETag it was read at, and a message carries the run's revision: a redelivered or
/// duplicated message finds the revision moved on and does nothing. Irreversible work (starting
/// a job, promoting) is preceded by a written intent, so after a crash the step looks for what
/// it may already have done (the launcher's <see cref="IJobLauncher.FindAsync"/>, the active
/// pointer) instead of doing it twice. Training never runs here: the job does.
/// </summary>
public sealed class PipelineEngine(
    RunRepository runs,
    IJobLauncher launcher,
    IModelRegistry registry,
    ISnapshotStore snapshots,
    PluginCatalog plugins,
    Func<RefreshShard, CancellationToken, Task> enqueueShard,
    PipelineOptions options,
    TimeProvider time)
{
    /// <summary>Starts a run: stores it and returns the first message.</summary>
    /// <exception cref="ArgumentException">A bad request field, named.</exception>
    public async Task<(TrainingRun Run, AdvanceMessage First)> StartAsync(RunRequest request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (!options.Devices.Contains(request.Device))
        {
            throw new ArgumentException($"device {request.Device} is not offered: this pipeline's jobs train on {string.Join(", ", options.Devices)}", nameof(request.Device));
        }
        plugins.Get(request.Family);
        var id = $"run-{time.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
        var run = new TrainingRun { Id = id, Request = request };
        if (!await runs.CreateAsync(run, cancellation).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"run id {id} is taken");
        }
        var stored = (await runs.GetAsync(id, cancellation).ConfigureAwait(false))!;
        return (stored, new AdvanceMessage(id, stored.Revision));
    }

    /// <summary>
    /// Asks a run to stop: its next step stops the job and ends the run. Returns the run and the
    /// message that carries the request (the write moved the revision, so messages in flight go
    /// stale); no message when the run is final, already cancelling, or promoting (too late).
    /// </summary>
    public async Task<(TrainingRun? Run, AdvanceMessage? Next)> CancelAsync(string runId, CancellationToken cancellation = default)
    {
        var before = await runs.GetAsync(runId, cancellation).ConfigureAwait(false);
        if (before is null)
        {
            return (null, null);
        }
        var after = await runs.UpdateAsync(runId, run => run.IsFinal || run.State is RunState.Promote or RunState.Refresh || run.CancelRequested ? null : run with { CancelRequested = true }, cancellation).ConfigureAwait(false);
        return after is { CancelRequested: true, IsFinal: false } && after.Revision != before.Revision ? (after, new AdvanceMessage(after.Id, after.Revision)) : (after, null);
    }

    /// <summary>Non-final runs with the message that resumes each (after a restart, a message may have been lost).</summary>
    public async Task<IReadOnlyList<AdvanceMessage>> ResumeAsync(CancellationToken cancellation = default)
    {
        var messages = new List<AdvanceMessage>();
        foreach (var id in await runs.ListAsync(cancellation).ConfigureAwait(false))
        {
            if (await runs.GetAsync(id, cancellation).ConfigureAwait(false) is { IsFinal: false } run)
            {
                messages.Add(new AdvanceMessage(run.Id, run.Revision));
            }
        }
        return messages;
    }

    public async Task<AdvanceResult> AdvanceAsync(AdvanceMessage message, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var run = await runs.GetAsync(message.RunId, cancellation).ConfigureAwait(false);
        if (run is null)
        {
            return Done($"no run {message.RunId}");
        }
        if (run.IsFinal || run.Revision != message.Revision)
        {
            return Done(run.IsFinal ? $"run is {run.State}" : $"stale message (revision {message.Revision}, run at {run.Revision})");
        }
        if (run.CancelRequested && run.State is not (RunState.Promote or RunState.Refresh))
        {
            if (run.Job?.JobId is { } job)
            {
                await launcher.StopAsync(job, cancellation).ConfigureAwait(false);
            }
            return await MoveAsync(run, r => r.Moved(RunState.Cancelled, "cancelled on request") with { Reason = "cancelled on request" }, TimeSpan.Zero, cancellation).ConfigureAwait(false);
        }
        return run.State switch
        {
            RunState.Snapshot => await SnapshotAsync(run, cancellation).ConfigureAwait(false),
            RunState.Launch => await LaunchAsync(run, cancellation).ConfigureAwait(false),
            RunState.Monitor => await MonitorAsync(run, cancellation).ConfigureAwait(false),
            RunState.Evaluate => await EvaluateAsync(run, cancellation).ConfigureAwait(false),
            RunState.Promote => await PromoteAsync(run, cancellation).ConfigureAwait(false),
            RunState.Refresh => await RefreshAsync(run, cancellation).ConfigureAwait(false),
            _ => Done($"run is {run.State}"),
        };
    }

    private async Task<AdvanceResult> SnapshotAsync(TrainingRun run, CancellationToken cancellation)
    {
        // The data is read and fingerprinted here, then copied with its manifest into storage;
        // the job trains on the copy and refuses it if it no longer has that fingerprint.
        var dataset = DatasetReader.Read(run.Request.Data);
        var fingerprint = DatasetFingerprint.Compute(dataset);
        var manifest = new DataSnapshot(
            Path.GetFullPath(run.Request.Data), fingerprint, dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count, ColdStartProtocol.Name, run.Request.Seed);
        await snapshots.PutAsync(run.Id, run.Request.Data, SnapshotFile.ToJson(manifest), cancellation).ConfigureAwait(false);
        return await MoveAsync(
            run,
            r => r.Moved(RunState.Launch, $"data {fingerprint[..12]}: {dataset.UserCount} users, {dataset.ItemCount} items, {dataset.Interactions.Count} interactions, copied to storage") with { Snapshot = fingerprint },
            TimeSpan.Zero,
            cancellation).ConfigureAwait(false);
    }

    private async Task<AdvanceResult> LaunchAsync(TrainingRun run, CancellationToken cancellation)
    {
        if (run.Job is null || run.Job.JobId is not null)
        {
            // Write the intent first: of two handlers of one message only one gets here twice.
            var attempt = run.Job is null ? 1 : run.Job.Attempt;
            return await MoveAsync(run, r => r with { Job = new JobRecord(launcher.Name, attempt, null, time.GetUtcNow()) }, TimeSpan.Zero, cancellation).ConfigureAwait(false);
        }
        var spec = Spec(run);
        var jobId = await launcher.FindAsync(spec, cancellation).ConfigureAwait(false)
            ?? await launcher.StartAsync(spec, cancellation).ConfigureAwait(false);
        CrashPoint("Launch:after-start");
        return await MoveAsync(run, r => r.Moved(RunState.Monitor, $"attempt {spec.Attempt}: job {jobId} started on {launcher.Name}") with { Job = r.Job! with { JobId = jobId } }, options.PollInterval, cancellation).ConfigureAwait(false);
    }

    private async Task<AdvanceResult> MonitorAsync(TrainingRun run, CancellationToken cancellation)
    {
        var job = run.Job!;
        var state = await launcher.GetAsync(job.JobId!, cancellation).ConfigureAwait(false);
        switch (state.Status)
        {
            case JobStatus.Running:
                // A write per poll moves the revision, so a duplicated message dies here.
                return await MoveAsync(run, r => r, options.PollInterval, cancellation).ConfigureAwait(false);
            case JobStatus.Succeeded:
                return await MoveAsync(run, r => r.Moved(RunState.Evaluate, $"job {job.JobId} succeeded"), TimeSpan.Zero, cancellation).ConfigureAwait(false);
            default:
                if (job.Attempt < options.MaxAttempts)
                {
                    return await MoveAsync(
                        run,
                        r => r.Moved(RunState.Launch, $"attempt {job.Attempt} ({job.JobId}) {state.Status}: {state.Detail}; retrying") with { Job = new JobRecord(launcher.Name, job.Attempt + 1, null, time.GetUtcNow()) },
                        TimeSpan.Zero,
                        cancellation).ConfigureAwait(false);
                }
                var reason = $"job {job.JobId} {state.Status}: {state.Detail} (attempt {job.Attempt} of {options.MaxAttempts})";
                return await MoveAsync(run, r => r.Moved(RunState.Failed, reason) with { Reason = reason }, TimeSpan.Zero, cancellation).ConfigureAwait(false);
        }
    }

    private async Task<AdvanceResult> EvaluateAsync(TrainingRun run, CancellationToken cancellation)
    {
        var request = run.Request;
        var version = CandidateVersion(run);
        ModelManifest manifest;
        try
        {
            manifest = await registry.GetManifestAsync(request.Family, version, cancellation).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            var missing = $"job {run.Job!.JobId} succeeded but registered no checkpoint {request.Family}/{version}";
            return await MoveAsync(run, r => r.Moved(RunState.Failed, missing) with { Reason = missing }, TimeSpan.Zero, cancellation).ConfigureAwait(false);
        }
        if (manifest.DataSnapshot != run.Snapshot)
        {
            var reason = $"the job trained on data {manifest.DataSnapshot?[..12]}, not the snapshot {run.Snapshot?[..12]}";
            return await MoveAsync(run, r => r.Moved(RunState.Failed, reason) with { Reason = reason }, TimeSpan.Zero, cancellation).ConfigureAwait(false);
        }
        using var candidate = await LoadAsync(request.Family, version, cancellation).ConfigureAwait(false);
        // Held-out users: the test users of the job's own split (the snapshot's data, protocol and seed).
        var split = Protocol.Split(ColdStartProtocol.Name, (await snapshots.ReadAsync(run.Id, copy => SnapshotFile.OpenCopy(copy.Manifest, copy.DataPath, $"run {run.Id}'s snapshot manifest"), cancellation).ConfigureAwait(false)).Dataset, new ColdStartOptions { Seed = request.Seed });
        var mine = ModelEvaluation.Evaluate(candidate, split.Test);
        var metrics = new Dictionary<string, double>(run.Metrics) { ["candidate." + request.Metric] = mine.Metric(request.Metric) };
        var active = await registry.GetActiveAsync(request.Family, cancellation).ConfigureAwait(false);
        string verdict;
        var better = true;
        if (active is null)
        {
            verdict = string.Create(CultureInfo.InvariantCulture, $"candidate {request.Metric} {metrics["candidate." + request.Metric]:F4}; nothing active: passes the gate");
        }
        else
        {
            using var incumbent = await LoadAsync(request.Family, active.Version, cancellation).ConfigureAwait(false);
            var theirs = ModelEvaluation.Evaluate(incumbent, split.Test).Metric(request.Metric);
            var ours = metrics["candidate." + request.Metric];
            metrics["active." + request.Metric] = theirs;
            better = request.Metric == "logloss" ? ours < theirs - request.Margin : ours > theirs + request.Margin;
            verdict = string.Create(CultureInfo.InvariantCulture,
                $"candidate {request.Metric} {ours:F4} vs active {active.Version} {theirs:F4} on {split.Test.Count} held-out users (margin {request.Margin}): {(better ? "passes" : "does not pass")} the gate");
        }
        return better
            ? await MoveAsync(run, r => r.Moved(RunState.Promote, verdict) with { Metrics = metrics, Incumbent = active?.Version }, TimeSpan.Zero, cancellation).ConfigureAwait(false)
            : await MoveAsync(run, r => r.Moved(RunState.Rejected, verdict) with { Metrics = metrics, Incumbent = active?.Version, Reason = verdict }, TimeSpan.Zero, cancellation).ConfigureAwait(false);
    }

    private async Task<AdvanceResult> PromoteAsync(TrainingRun run, CancellationToken cancellation)
    {
        var family = run.Request.Family;
        var version = CandidateVersion(run); // registered by the job, verified by the gate
        var active = await registry.GetActiveAsync(family, cancellation).ConfigureAwait(false);
        if (active?.Version != version)
        {
            if (active?.Version != run.Incumbent)
            {
                // The active model changed since the gate: judge against the new one.
                return await MoveAsync(run, r => r.Moved(RunState.Evaluate, $"active model changed to {active?.Version ?? "none"} since the gate; evaluating again"), TimeSpan.Zero, cancellation).ConfigureAwait(false);
            }
            try
            {
                await registry.PromoteAsync(family, version, active?.ETag, cancellation).ConfigureAwait(false);
                CrashPoint("Promote:after-promote");
            }
            catch (RegistryConflictException)
            {
                return await MoveAsync(run, r => r.Moved(RunState.Evaluate, "the active pointer moved during promotion; evaluating again"), TimeSpan.Zero, cancellation).ConfigureAwait(false);
            }
        }
        return await MoveAsync(run, r => r.Moved(RunState.Refresh, $"promoted {family}/{version} (was {active?.Version ?? "none"})"), TimeSpan.Zero, cancellation).ConfigureAwait(false);
    }

    private async Task<AdvanceResult> RefreshAsync(TrainingRun run, CancellationToken cancellation)
    {
        for (var shard = 0; shard < run.Request.Shards; shard++)
        {
            await enqueueShard(new RefreshShard(run.Id, run.Request.Family, CandidateVersion(run), shard, run.Request.Shards), cancellation).ConfigureAwait(false);
        }
        return await MoveAsync(run, r => r.Moved(RunState.Completed, $"embedding refresh fanned out in {run.Request.Shards} shards"), TimeSpan.Zero, cancellation).ConfigureAwait(false);
    }

    /// <summary>The version the current attempt's job registers its checkpoint as: the attempt's name.</summary>
    /// <summary>The current attempt's name: its job's and the version its checkpoint is registered as.</summary>
    private static string CandidateVersion(TrainingRun run) => JobSpec.NameOf(run.Id, run.Job!.Attempt);

    private async Task<Abstractions.IRecModel> LoadAsync(string family, string version, CancellationToken cancellation) =>
        (await registry.LoadAsync(family, version, plugins.Get(family).Load, cancellation).ConfigureAwait(false)).Value;

    /// <summary>Writes <paramref name="change"/> if the run is still at the revision read; the next message, or none if another handler moved it.</summary>
    private async Task<AdvanceResult> MoveAsync(TrainingRun read, Func<TrainingRun, TrainingRun> change, TimeSpan delay, CancellationToken cancellation)
    {
        CrashPoint($"{read.State}:before-write");
        var stored = await runs.UpdateAsync(read.Id, current => current.Revision == read.Revision ? change(current) : null, cancellation).ConfigureAwait(false);
        if (stored is null || stored.Revision == read.Revision)
        {
            return Done("another handler moved the run first");
        }
        CrashPoint($"{read.State}:after-write");
        var outcome = stored.Steps.Count > read.Steps.Count ? stored.Steps[^1].Outcome : $"{stored.State}: {(stored.Job?.JobId is null ? "intent recorded" : "polled")}";
        return stored.IsFinal ? new AdvanceResult(null, TimeSpan.Zero, outcome) : new AdvanceResult(new AdvanceMessage(stored.Id, stored.Revision), delay, outcome);
    }

    private JobSpec Spec(TrainingRun run)
    {
        var request = run.Request;
        var name = CandidateVersion(run);
        List<string> arguments =
        [
            "train", "--family", request.Family, "--snapshot-run", run.Id, "--epochs", request.Epochs.ToString(CultureInfo.InvariantCulture),
            "--seed", request.Seed.ToString(CultureInfo.InvariantCulture), "--device", request.Device, "--out", "checkpoint", "--register", name,
            .. options.StorageArguments,
        ];
        foreach (var (key, value) in request.Settings)
        {
            arguments.Add("--set");
            arguments.Add($"{key}={value}");
        }
        var environment = new Dictionary<string, string>(options.JobEnvironment ?? new Dictionary<string, string>()) { ["METAREC_RUN_ID"] = run.Id };
        return new JobSpec(run.Id, run.Job!.Attempt, arguments, environment);
    }

    private void CrashPoint(string point)
    {
        if (string.Equals(options.CrashAt, point, StringComparison.Ordinal))
        {
            Environment.FailFast($"fault injection (MetaRec:Training:CrashAt): the process dies at {point}");
        }
    }

    private static AdvanceResult Done(string outcome) => new(null, TimeSpan.Zero, outcome);
}
