using System.Reflection;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Runs;
using MetaRec.Storage.Snapshots;
using MetaRec.Testing;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// Runs through the engine with the real job: `metarec train` as a detached process on the
/// shipped ml-latest-small, the registry and run store on a folder.
/// </summary>
public sealed class PipelineEngineTests : IDisposable
{
    private static readonly string CliDll = typeof(PipelineEngineTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;
    private static readonly string Data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-pipeline-");
    private readonly List<(string Run, int Shard, int Shards)> _shards = [];

    public PipelineEngineTests() => TorchRuntime.EnsureInitialized(1);

    public void Dispose() => _root.Delete(recursive: true);

    private LocalProcessLauncher Launcher => new(_root.FullName, "dotnet", [CliDll]);

    private FolderModelRegistry Registry => new(_root.FullName);

    private PipelineEngine Engine(int maxAttempts = 2, IReadOnlyList<string>? devices = null) => new(
        new RunRepository(new FolderRunStore(_root.FullName), TimeProvider.System),
        Launcher,
        Registry,
        new FolderSnapshotStore(_root.FullName),
        PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins")),
        (refresh, _) =>
        {
            lock (_shards)
            {
                _shards.Add((refresh.RunId, refresh.Shard, refresh.Shards));
            }
            return Task.CompletedTask;
        },
        new PipelineOptions(TimeSpan.FromMilliseconds(200), ["--storage-folder", _root.FullName], MaxAttempts: maxAttempts)
        {
            Devices = devices ?? ["cpu"],
        },
        TimeProvider.System);

    private static RunRequest Request(string family = "mpp", int epochs = 1, IReadOnlyDictionary<string, string>? settings = null) =>
        new(family, Data, settings ?? new Dictionary<string, string>(), Epochs: epochs, Shards: 3);

    /// <summary>Delivers messages until the run is final (honouring delays loosely), as the queue trigger would.</summary>
    private static async Task<TrainingRun> DriveAsync(PipelineEngine engine, RunRepository runs, AdvanceMessage first, List<string>? outcomes = null)
    {
        var next = first;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (next is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not finish in 4 minutes");
            var result = await engine.AdvanceAsync(next);
            outcomes?.Add(result.Outcome);
            if (result.Delay > TimeSpan.Zero)
            {
                await Task.Delay(result.Delay);
            }
            next = result.Next;
        }
        return (await runs.GetAsync(first.RunId))!;
    }

    [Fact]
    public async Task A_run_trains_in_a_child_process_passes_the_gate_with_nothing_active_promotes_once_and_fans_out()
    {
        var runs = new RunRepository(new FolderRunStore(_root.FullName), TimeProvider.System);
        var engine = Engine();
        var (run, first) = await engine.StartAsync(Request());

        var done = await DriveAsync(engine, runs, first);

        Assert.Equal(RunState.Completed, done.State);
        Assert.Equal(
            [RunState.Snapshot, RunState.Launch, RunState.Monitor, RunState.Evaluate, RunState.Promote, RunState.Refresh],
            done.Steps.Select(s => s.Step));
        Assert.Contains("nothing active: passes the gate", done.Steps.Single(s => s.Step == RunState.Evaluate).Outcome, StringComparison.Ordinal);
        Assert.Null(done.Incumbent);
        Assert.Equal(run.Id + "-a1", (await Registry.GetActiveAsync("mpp"))!.Version); // the job registered it; the run promoted it
        Assert.InRange(done.Metrics["candidate.auc"], 0.5, 1);
        Assert.Equal([0, 1, 2], _shards.Where(s => s.Run == run.Id).Select(s => s.Shard).Order());
        Assert.True(File.Exists(Path.Combine(Launcher.FolderOf(run.Id + "-a1"), "output.log")), "the job's output is kept with the run");

        // A redelivered message of any earlier revision changes nothing.
        foreach (var revision in Enumerable.Range(1, (int)done.Revision))
        {
            var again = await engine.AdvanceAsync(new AdvanceMessage(run.Id, revision));
            Assert.Null(again.Next);
        }
        Assert.Single(await Registry.ListVersionsAsync("mpp"));
        Assert.Equal(done.Revision, (await runs.GetAsync(run.Id))!.Revision);
    }

    [Fact]
    public async Task A_worse_model_is_not_promoted_and_the_run_says_why_with_both_metrics()
    {
        var runs = new RunRepository(new FolderRunStore(_root.FullName), TimeProvider.System);
        var engine = Engine();
        var (good, first) = await engine.StartAsync(Request(epochs: 3));
        Assert.Equal(RunState.Completed, (await DriveAsync(engine, runs, first)).State);

        // A learning rate so small that one epoch leaves the model near its initialisation.
        var (bad, second) = await engine.StartAsync(Request(epochs: 1, settings: new Dictionary<string, string> { ["outer_lr"] = "0.0000001" }));
        var rejected = await DriveAsync(engine, runs, second);

        Assert.Equal(RunState.Rejected, rejected.State);
        Assert.Contains($"vs active {good.Id}-a1", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(good.Id + "-a1", rejected.Incumbent);
        Assert.Contains("does not pass the gate", rejected.Reason, StringComparison.Ordinal);
        Assert.True(rejected.Metrics["candidate.auc"] < rejected.Metrics["active.auc"]);
        Assert.Equal(good.Id + "-a1", (await Registry.GetActiveAsync("mpp"))!.Version);
        Assert.Contains(bad.Id + "-a1", (await Registry.ListVersionsAsync("mpp")).Select(v => v.Version)); // kept for the record, never active
    }

    [Fact]
    public async Task A_failing_job_is_retried_once_then_the_run_fails_naming_the_job_and_cancel_stops_a_run()
    {
        var runs = new RunRepository(new FolderRunStore(_root.FullName), TimeProvider.System);
        var engine = Engine(maxAttempts: 2);
        var (run, first) = await engine.StartAsync(Request(settings: new Dictionary<string, string> { ["no_such_setting"] = "1" }));

        var failed = await DriveAsync(engine, runs, first);

        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("attempt 2 of 2", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("no_such_setting", failed.Reason, StringComparison.Ordinal);
        Assert.Contains(failed.Steps, s => s.Outcome.Contains("attempt 1", StringComparison.Ordinal) && s.Outcome.Contains("retrying", StringComparison.Ordinal));
        Assert.Null(await Registry.GetActiveAsync("mpp"));

        var (other, start) = await engine.StartAsync(Request(epochs: 50));
        var snapshot = await engine.AdvanceAsync(start);
        var intent = await engine.AdvanceAsync(snapshot.Next!);
        var launched = await engine.AdvanceAsync(intent.Next!); // the job is running now
        var (_, stop) = await engine.CancelAsync(other.Id);
        Assert.Null((await engine.AdvanceAsync(launched.Next!)).Next); // the poll in flight went stale
        var cancelled = await DriveAsync(engine, runs, stop!);
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.Equal("cancelled on request", cancelled.Reason);
        Assert.Equal(JobStatus.Stopped, (await Launcher.GetAsync(other.Id + "-a1")).Status);
    }

    [Fact]
    public async Task Bad_requests_name_the_field()
    {
        var engine = Engine();
        Assert.Contains("device", (await Assert.ThrowsAsync<ArgumentException>(() => engine.StartAsync(Request() with { Device = "tpu" }))).Message, StringComparison.Ordinal);
        Assert.Contains("metric", (await Assert.ThrowsAsync<ArgumentException>(() => engine.StartAsync(Request() with { Metric = "mae" }))).Message, StringComparison.Ordinal);
        Assert.Contains("device cuda is not offered: this pipeline's jobs train on cpu", (await Assert.ThrowsAsync<ArgumentException>(() => engine.StartAsync(Request() with { Device = "cuda" }))).Message, StringComparison.Ordinal);
        Assert.Contains("no model family 'nope'", (await Assert.ThrowsAsync<KeyNotFoundException>(() => engine.StartAsync(Request(family: "nope")))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cuda_run_hands_its_device_to_the_job_which_fails_clearly_where_there_is_no_gpu()
    {
        var runs = new RunRepository(new FolderRunStore(_root.FullName), TimeProvider.System);
        var engine = Engine(maxAttempts: 1, devices: ["cpu", "cuda"]);
        var (run, first) = await engine.StartAsync(Request() with { Device = "cuda" });

        var failed = await DriveAsync(engine, runs, first);

        var script = await File.ReadAllTextAsync(Path.Combine(Launcher.FolderOf(run.Id + "-a1"), "run.sh"));
        Assert.Contains("'--device' 'cuda'", script, StringComparison.Ordinal);
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("CUDA did not initialise", failed.Reason, StringComparison.Ordinal);
        Assert.Null(await Registry.GetActiveAsync("mpp"));
        Assert.Empty(await Registry.ListVersionsAsync("mpp"));
    }

    [Fact]
    public async Task The_job_and_the_gate_use_the_runs_snapshot_in_storage_not_the_data_as_it_is_later()
    {
        var data = _root.CreateSubdirectory("data").FullName;
        foreach (var file in Directory.GetFiles(Data))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }
        var runs = new RunRepository(new FolderRunStore(_root.FullName), TimeProvider.System);
        var engine = Engine();
        var (run, first) = await engine.StartAsync(Request() with { Data = data });
        var snapshot = await engine.AdvanceAsync(first);
        await File.AppendAllTextAsync(Path.Combine(data, "ratings.csv"), "999999,1,5.0,1700000000\r\n"); // the data moves on

        var done = await DriveAsync(engine, runs, snapshot.Next!);

        Assert.Equal(RunState.Completed, done.State);
        Assert.NotNull(await new FolderSnapshotStore(_root.FullName).GetManifestAsync(run.Id));
        Assert.Equal(done.Snapshot, (await Registry.GetManifestAsync("mpp", run.Id + "-a1")).DataSnapshot);
        var script = await File.ReadAllTextAsync(Path.Combine(Launcher.FolderOf(run.Id + "-a1"), "run.sh"));
        Assert.Contains($"'--snapshot-run' '{run.Id}'", script, StringComparison.Ordinal);
    }
}
