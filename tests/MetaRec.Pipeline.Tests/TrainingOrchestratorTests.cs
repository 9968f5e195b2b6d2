using System.Reflection;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Pipeline.Activities;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Snapshots;
using MetaRec.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// The real orchestrator under the Durable in-process test host (real dispatch, durable timers
/// and replay), with real activities: `metarec train` as a detached child process on
/// ml-latest-small, the registry and snapshots on a folder, plugins from the output folder.
/// </summary>
public sealed class TrainingOrchestratorTests : IAsyncLifetime
{
    private static readonly string CliDll = typeof(TrainingOrchestratorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;
    private static readonly string Data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-orchestrator-");
    private readonly RecordingRefresher _refresher = new();

    public TrainingOrchestratorTests() => TorchRuntime.EnsureInitialized(1);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _root.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private LocalProcessLauncher Trainer => new(_root.FullName, "dotnet", [CliDll]);

    /// <summary>A "job" that runs a minute and does nothing: for cancel and deadlines.</summary>
    private LocalProcessLauncher Sleeper => new(_root.FullName, "/bin/sh", ["-c", "sleep 60", "job"]);

    private FolderModelRegistry Registry => new(_root.FullName);

    private FolderInteractionLog Log => new(_root.FullName);

    private static TrainingSchedule Schedule(int maxAttempts = 2, double deadlineSeconds = 240) =>
        new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(deadlineSeconds), maxAttempts);

    private static RunRequest Request(int epochs = 1, IReadOnlyDictionary<string, string>? settings = null) =>
        new("mpp", Data, settings ?? new Dictionary<string, string>(), Epochs: epochs, Shards: 3);

    private Task<DurableTaskTestHost> StartHostAsync(IJobLauncher? launcher = null, Action<DurableTaskRegistry>? more = null) =>
        DurableTaskTestHost.StartAsync(
            registry =>
            {
                registry.AddTrainingTasks();
                more?.Invoke(registry);
            },
            new DurableTaskTestHostOptions
            {
                ConfigureServices = services => services
                    .AddSingleton(launcher ?? Trainer)
                    .AddSingleton<IModelRegistry>(Registry)
                    .AddSingleton<ISnapshotStore>(new FolderSnapshotStore(_root.FullName))
                    .AddSingleton<IInteractionLog>(Log)
                    .AddSingleton(PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins")))
                    .AddSingleton(new TrainingJobOptions(["--storage-folder", _root.FullName]))
                    .AddSingleton<IShardRefresher>(_refresher),
            });

    private async Task<TrainingResult> RunAsync(DurableTaskTestHost host, string runId, RunRequest request, TrainingSchedule schedule, string orchestrator = TrainingOrchestrator.Name)
    {
        var input = new TrainingInput(request, schedule, await Log.SnapshotAsync());
        await host.Client.ScheduleNewOrchestrationInstanceAsync(new TaskName(orchestrator), input, new StartOrchestrationOptions(runId));
        return await WaitAsync(host, runId);
    }

    private static async Task<TrainingResult> WaitAsync(DurableTaskTestHost host, string runId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var done = await host.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"orchestration {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        return done.ReadOutputAs<TrainingResult>()!;
    }

    private static async Task<TrainingStatus> WaitForStepAsync(DurableTaskTestHost host, string runId, RunState step)
    {
        var until = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < until)
        {
            var instance = await host.Client.GetInstanceAsync(runId, getInputsAndOutputs: true);
            var status = instance?.SerializedCustomStatus is null ? null : instance.ReadCustomStatusAs<TrainingStatus>();
            if (status?.Step == step)
            {
                return status;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"run {runId} never reached {step}");
    }

    [Fact]
    public async Task A_run_trains_passes_the_gate_with_nothing_active_promotes_once_and_refreshes_every_shard()
    {
        await using var host = await StartHostAsync();
        // Events the app logged before the run (a new user) are part of its training data.
        await Log.AppendAsync([.. new[] { "1", "50", "260" }.Select((item, i) => new InteractionEvent($"log-{i}", "log-user", item, 5, 1_700_000_000 + i))]);

        var result = await RunAsync(host, "run-ok", Request(), Schedule());

        Assert.Equal(RunState.Completed, result.State);
        Assert.Null(result.Reason);
        Assert.Equal(
            [RunState.Snapshot, RunState.Launch, RunState.Monitor, RunState.Evaluate, RunState.Promote, RunState.Refresh],
            result.Steps.Select(s => s.Step));
        Assert.Contains("nothing active: passes the gate", result.Steps.Single(s => s.Step == RunState.Evaluate).Outcome, StringComparison.Ordinal);
        Assert.Equal("run-ok-a1", result.Version);
        Assert.Null(result.Incumbent);
        Assert.Equal("run-ok-a1", (await Registry.GetActiveAsync("mpp"))!.Version);
        Assert.Single(await Registry.ListVersionsAsync("mpp"));
        Assert.InRange(result.Metrics["candidate.auc"], 0.5, 1);
        Assert.Equal([0, 1, 2], _refresher.Calls.Where(c => c.RunId == "run-ok").Select(c => c.Shard).Order());
        Assert.All(_refresher.Calls, c => Assert.Equal(("mpp", "run-ok-a1", 3), (c.Family, c.Version, c.Shards)));
        Assert.True(File.Exists(Path.Combine(Trainer.FolderOf("run-ok-a1"), "output.log")), "the job's output is kept with the run");
        var script = await File.ReadAllTextAsync(Path.Combine(Trainer.FolderOf("run-ok-a1"), "run.sh"));
        Assert.Contains("'--snapshot-run' 'run-ok'", script, StringComparison.Ordinal); // trained on the run's snapshot in storage
        var snapshot = result.Steps.Single(s => s.Step == RunState.Snapshot).Outcome;
        Assert.Equal(snapshot[5..17], (await Registry.GetManifestAsync("mpp", "run-ok-a1")).DataSnapshot![..12]);
        Assert.Contains("3 of 3 logged events", snapshot, StringComparison.Ordinal);
        var copy = await new FolderSnapshotStore(_root.FullName).DownloadAsync("run-ok", _root.CreateSubdirectory("copy").FullName);
        var trained = Core.Data.DatasetReader.Read(copy.DataPath);
        Assert.Contains("log-user", trained.UserIds);
    }

    [Fact]
    public async Task A_worse_model_is_rejected_with_both_metrics_and_the_active_model_stays()
    {
        await using var host = await StartHostAsync();
        var good = await RunAsync(host, "run-good", Request(epochs: 3), Schedule());
        Assert.Equal(RunState.Completed, good.State);

        // A learning rate so small that one epoch leaves the model near its initialisation.
        var bad = await RunAsync(host, "run-bad", Request(settings: new Dictionary<string, string> { ["outer_lr"] = "0.0000001" }), Schedule());

        Assert.Equal(RunState.Rejected, bad.State);
        Assert.Contains("vs active run-good-a1", bad.Reason, StringComparison.Ordinal);
        Assert.Contains("does not pass the gate", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("run-good-a1", bad.Incumbent);
        Assert.True(bad.Metrics["candidate.auc"] < bad.Metrics["active.auc"], $"{bad.Metrics["candidate.auc"]} vs {bad.Metrics["active.auc"]}");
        Assert.Equal("run-good-a1", (await Registry.GetActiveAsync("mpp"))!.Version);
        Assert.Contains("run-bad-a1", (await Registry.ListVersionsAsync("mpp")).Select(v => v.Version)); // kept for the record, never active
        Assert.DoesNotContain(_refresher.Calls, c => c.RunId == "run-bad");
    }

    [Fact]
    public async Task A_failing_job_is_retried_as_a_new_attempt_then_the_run_fails_with_the_jobs_reason()
    {
        await using var host = await StartHostAsync();

        var result = await RunAsync(host, "run-fail", Request(settings: new Dictionary<string, string> { ["no_such_setting"] = "1" }), Schedule(maxAttempts: 2));

        Assert.Equal(RunState.Failed, result.State);
        Assert.Contains("attempt 2 of 2", result.Reason, StringComparison.Ordinal);
        Assert.Contains("no_such_setting", result.Reason, StringComparison.Ordinal);
        Assert.Contains(result.Steps, s => s.Outcome.StartsWith("attempt 1", StringComparison.Ordinal) && s.Outcome.EndsWith("retrying", StringComparison.Ordinal));
        Assert.True(Directory.Exists(Trainer.FolderOf("run-fail-a1")) && Directory.Exists(Trainer.FolderOf("run-fail-a2")), "one job per attempt");
        Assert.False(Directory.Exists(Trainer.FolderOf("run-fail-a3")));
        Assert.Null(await Registry.GetActiveAsync("mpp"));
    }

    [Fact]
    public async Task A_failing_step_ends_the_run_failed_with_its_reason_not_stuck()
    {
        await using var host = await StartHostAsync();

        var result = await RunAsync(host, "run-nodata", Request() with { Data = Path.Combine(_root.FullName, "nonexistent") }, Schedule());

        Assert.Equal(RunState.Failed, result.State);
        Assert.StartsWith("SnapshotActivity failed: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("nonexistent", result.Reason, StringComparison.Ordinal);
        Assert.Empty(result.Steps);
    }

    [Fact]
    public async Task Cancel_stops_the_running_job_and_ends_the_run_cancelled()
    {
        var sleeper = Sleeper;
        await using var host = await StartHostAsync(sleeper);
        var client = new DurableTrainingRunClient(host.Client);
        await client.StartAsync("run-cancel", new TrainingInput(Request(), Schedule(), await Log.SnapshotAsync()));
        var monitoring = await WaitForStepAsync(host, "run-cancel", RunState.Monitor);
        Assert.Equal("run-cancel-a1", monitoring.JobId);
        Assert.Equal(JobStatus.Running, (await sleeper.GetAsync("run-cancel-a1")).Status);

        await client.CancelAsync("run-cancel");
        var result = await WaitAsync(host, "run-cancel");

        Assert.Equal(RunState.Cancelled, result.State);
        Assert.Equal("cancelled on request", result.Reason);
        Assert.Equal(JobStatus.Stopped, (await sleeper.GetAsync("run-cancel-a1")).Status);
        var view = await client.GetAsync("run-cancel");
        Assert.Equal(RunState.Cancelled, view!.State);
        Assert.True(view.IsFinal);
        Assert.Null(await Registry.GetActiveAsync("mpp"));
    }

    [Fact]
    public async Task The_monitor_loop_polls_on_durable_timers_and_stops_a_job_past_its_deadline()
    {
        var sleeper = Sleeper;
        await using var host = await StartHostAsync(sleeper);
        var started = DateTime.UtcNow;

        var result = await RunAsync(host, "run-late", Request(), Schedule(maxAttempts: 1, deadlineSeconds: 2));

        Assert.Equal(RunState.Failed, result.State);
        Assert.Contains("did not finish within its deadline of 00:00:02; stopped (attempt 1 of 1)", result.Reason, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Stopped, (await sleeper.GetAsync("run-late-a1")).Status);
        var elapsed = DateTime.UtcNow - started;
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"the run ended after {elapsed}, before its deadline");
        Assert.True(elapsed < TimeSpan.FromSeconds(50), $"the run ended after {elapsed}: the deadline did not stop it");
    }

    [Fact]
    public async Task Replaying_the_same_history_makes_the_same_decisions()
    {
        // Each episode (the first execution and every replay) runs the real orchestrator on a
        // context that records what it asks for; the host replays the history after each await.
        var episodes = new List<List<string>>();
        await using var host = await StartHostAsync(more: registry => registry.AddOrchestratorFunc<TrainingInput, TrainingResult>("Recorded", (context, input) =>
        {
            var recording = new RecordingContext(context);
            lock (episodes)
            {
                episodes.Add(recording.Calls);
            }
            return new TrainingOrchestrator().RunAsync(recording, input);
        }));

        var result = await RunAsync(host, "run-replay", Request(), Schedule(), orchestrator: "Recorded");

        Assert.Equal(RunState.Completed, result.State);
        var final = episodes[^1];
        Assert.True(episodes.Count > 3, $"only {episodes.Count} episodes: the history was not replayed");
        Assert.Contains($"{nameof(PromoteActivity)}:", final[^4], StringComparison.Ordinal);
        Assert.Equal(1, final.Count(c => c.StartsWith(nameof(LaunchJobActivity), StringComparison.Ordinal)));
        foreach (var episode in episodes)
        {
            Assert.Equal(final.Take(episode.Count), episode); // every replay asked for exactly what the history holds, in order
        }
    }

    /// <summary>The embedding refresh as the serving app would do it, recorded.</summary>
    private sealed class RecordingRefresher : IShardRefresher
    {
        private readonly List<Orchestration.RefreshShard> _calls = [];

        public IReadOnlyList<Orchestration.RefreshShard> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public Task<string> RefreshAsync(Orchestration.RefreshShard shard, CancellationToken cancellation = default)
        {
            lock (_calls)
            {
                _calls.Add(shard);
            }
            return Task.FromResult($"shard {shard.Shard}: 0 users");
        }
    }

    /// <summary>Passes everything to the host's context and records the activities and timers asked for.</summary>
    private sealed class RecordingContext(TaskOrchestrationContext inner) : TaskOrchestrationContext
    {
        public List<string> Calls { get; } = [];

        public override TaskName Name => inner.Name;

        public override string InstanceId => inner.InstanceId;

        public override ParentOrchestrationInstance? Parent => inner.Parent;

        public override DateTime CurrentUtcDateTime => inner.CurrentUtcDateTime;

        public override bool IsReplaying => inner.IsReplaying;

        protected override Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory => throw new NotSupportedException();

        public override T GetInput<T>() => inner.GetInput<T>()!;

        public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
        {
            Calls.Add($"{name.Name}:{System.Text.Json.JsonSerializer.Serialize(input)}");
            return inner.CallActivityAsync<TResult>(name, input, options);
        }

        public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
        {
            Calls.Add($"timer:{fireAt:O}");
            return inner.CreateTimer(fireAt, cancellationToken);
        }

        public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) => inner.WaitForExternalEvent<T>(eventName, cancellationToken);

        public override void SendEvent(string instanceId, string eventName, object payload) => inner.SendEvent(instanceId, eventName, payload);

        public override void SetCustomStatus(object? customStatus) => inner.SetCustomStatus(customStatus);

        public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) =>
            inner.CallSubOrchestratorAsync<TResult>(orchestratorName, input, options);

        public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => inner.ContinueAsNew(newInput, preserveUnprocessedEvents);

        public override Guid NewGuid() => inner.NewGuid();
    }
}
