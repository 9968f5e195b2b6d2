using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetaRec.Storage.Registry;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The standalone host dies with <c>kill -9</c> in the middle of a training run and is started
/// again on the same storage and task hub (the Durable Task Framework on Azurite): the run
/// completes, with one job for its one attempt and exactly one promotion.
/// </summary>
public sealed class TrainingCrashTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-crash-");
    private readonly List<StandaloneProcess> _apps = [];

    public void Dispose()
    {
        _apps.ForEach(a => a.Dispose());
        _root.Delete(recursive: true);
    }

    private StandaloneProcess Start(string taskHub)
    {
        var settings = StandaloneProcess.FastTraining(taskHub);
        settings["MetaRec__Storage__Backend"] = "folder";
        settings["MetaRec__Storage__Folder"] = _root.FullName;
        settings["MetaRec__Durable__ConnectionString"] = azurite.ConnectionString;
        var app = StandaloneProcess.Start(_root.FullName, settings);
        _apps.Add(app);
        return app;
    }

    [Theory]
    [InlineData("Snapshot", "crashsnapshot")] // at once: mid-episode or mid-activity
    [InlineData("Monitor", "crashmonitor")] // the job runs, the orchestrator waits on a durable timer
    [InlineData("AfterJob", "crashafterjob")] // the job is done: the gate scores, promotes or refreshes
    public async Task A_run_survives_kill_9_of_the_host_and_completes_with_one_job_and_one_promotion(string killAt, string taskHub)
    {
        var first = Start(taskHub);
        var client = first.Client;
        await first.WaitListeningAsync();
        var data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");
        var started = await client.PostAsJsonAsync("/api/training-runs", new { family = "mpp", data, epochs = 1, shards = 2 });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        // Evaluate alone can pass between two looks, so "after the job" is any step past Monitor that is not final.
        string[] states = killAt == "AfterJob" ? ["Evaluate", "Promote", "Refresh"] : [killAt];
        if (killAt != "Snapshot")
        {
            await EndToEndTests.EventuallyAsync(async () =>
            {
                var state = (await client.GetFromJsonAsync<JsonElement>(location)).GetProperty("state").GetString();
                return Array.IndexOf(states, state) >= 0 ? "there" : null;
            }, TimeSpan.FromMinutes(2));
        }

        await first.KillAsync();

        var restarted = Start(taskHub);
        var again = restarted.Client;
        await restarted.WaitListeningAsync();
        var run = await StandaloneTrainingTests.WaitFinalAsync(again, location, TimeSpan.FromMinutes(3));

        Assert.True(run.GetProperty("state").GetString() == "Completed", run.ToString());
        // One job for the one attempt: the replayed launch found the job its first execution started.
        Assert.Equal([$"{runId}-a1"], Directory.GetDirectories(Path.Combine(_root.FullName, "jobs")).Select(Path.GetFileName));
        // Exactly one promotion: the run's version is active and nothing was active before it.
        var registry = new FolderModelRegistry(_root.FullName);
        var active = (await registry.GetActiveAsync("mpp"))!;
        Assert.Equal(runId + "-a1", active.Version);
        Assert.Empty(active.Previous);
        Assert.Single(await registry.ListVersionsAsync("mpp"));
        Assert.Empty(Directory.GetFiles(_root.FullName, "*.partial", SearchOption.AllDirectories));
        Assert.Equal(
            ["Snapshot", "Launch", "Monitor", "Evaluate", "Promote", "Refresh"],
            run.GetProperty("result").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
    }
}
