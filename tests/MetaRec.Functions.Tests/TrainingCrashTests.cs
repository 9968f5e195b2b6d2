using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
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
    private static string Dll(string key) => typeof(TrainingCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-crash-");
    private readonly List<Process> _apps = [];

    public void Dispose()
    {
        foreach (var app in _apps.Where(a => !a.HasExited))
        {
            app.Kill(entireProcessTree: true);
        }
        _apps.ForEach(a => a.Dispose());
        _root.Delete(recursive: true);
    }

    private (Process App, HttpClient Client) Start(string taskHub)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root.FullName };
        start.ArgumentList.Add(Dll("MetaRec.FunctionsDll"));
        start.Environment["urls"] = $"http://127.0.0.1:{port}";
        start.Environment["MetaRec__Family"] = "mpp";
        start.Environment["MetaRec__Storage__Backend"] = "folder";
        start.Environment["MetaRec__Storage__Folder"] = _root.FullName;
        start.Environment["MetaRec__Training__Metarec"] = Dll("MetaRec.CliDll");
        start.Environment["MetaRec__Training__PollInterval"] = "00:00:00.500";
        start.Environment["MetaRec__Training__MaxAttempts"] = "1";
        start.Environment["MetaRec__Durable__ConnectionString"] = azurite.ConnectionString;
        start.Environment["MetaRec__Durable__TaskHub"] = taskHub;
        start.Environment["MetaRec__Durable__ControlQueueVisibilityTimeout"] = "00:00:05";
        start.Environment["MetaRec__Durable__WorkItemQueueVisibilityTimeout"] = "00:00:10";
        start.Environment["MetaRec__Durable__MaxQueuePollingInterval"] = "00:00:00.500";
        start.Environment["MetaRec__ModelPollInterval"] = "00:00:00.200";
        start.Environment["MetaRec__Auth__ApiKey"] = FunctionAppFactory.ApiKey;
        start.Environment["MetaRec__Timers__Enabled"] = "false";
        var app = Process.Start(start)!;
        app.OutputDataReceived += (_, _) => { };
        app.ErrorDataReceived += (_, _) => { };
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        _apps.Add(app);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Add("x-api-key", FunctionAppFactory.ApiKey);
        return (app, client);
    }

    private static async Task WaitListeningAsync(HttpClient client)
    {
        await EndToEndTests.EventuallyAsync(async () =>
        {
            try
            {
                return (await client.GetAsync("/api/health")).IsSuccessStatusCode ? "up" : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        });
    }

    [Theory]
    [InlineData("Snapshot", "crashsnapshot")] // at once: mid-episode or mid-activity
    [InlineData("Monitor", "crashmonitor")] // the job runs, the orchestrator waits on a durable timer
    [InlineData("AfterJob", "crashafterjob")] // the job is done: the gate scores, promotes or refreshes
    public async Task A_run_survives_kill_9_of_the_host_and_completes_with_one_job_and_one_promotion(string killAt, string taskHub)
    {
        var (first, client) = Start(taskHub);
        await WaitListeningAsync(client);
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

        first.Kill(); // SIGKILL: no shutdown, no flush
        await first.WaitForExitAsync();

        var (_, again) = Start(taskHub);
        await WaitListeningAsync(again);
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
