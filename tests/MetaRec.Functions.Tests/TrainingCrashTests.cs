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
/// The training pipeline survives its host dying: the real app runs as a process with a
/// fault-injection point (<c>MetaRec:Training:CrashAt</c>) where it kills itself, at a step
/// boundary or in the middle of a step; a second app process on the same storage must finish
/// the run with one job for the attempt, exactly one promotion, no partial file and the run kept.
/// </summary>
public sealed class TrainingCrashTests : IDisposable
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

    private (Process App, HttpClient Client) Start(string? crashAt)
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
        start.Environment["MetaRec__Training__PollInterval"] = "00:00:00.300";
        start.Environment["MetaRec__Training__CrashAt"] = crashAt ?? string.Empty;
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
    [InlineData("Snapshot:after-write")]
    [InlineData("Launch:before-write")]
    [InlineData("Launch:after-start")]
    [InlineData("Monitor:before-write")]
    [InlineData("Evaluate:before-write")]
    [InlineData("Promote:after-promote")]
    [InlineData("Refresh:before-write")]
    public async Task A_run_survives_the_app_dying_and_completes_with_one_job_and_one_promotion(string crashAt)
    {
        var (first, client) = Start(crashAt);
        await WaitListeningAsync(client);
        var data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");
        var started = await client.PostAsJsonAsync("/api/training-runs", new { family = "mpp", data, epochs = 1, shards = 2 });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/training-runs/{runId}", location);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            await first.WaitForExitAsync(timeout.Token); // the injected fault kills it
        }
        Assert.NotEqual(0, first.ExitCode);

        var (_, again) = Start(crashAt: null);
        await WaitListeningAsync(again);
        var text = await EndToEndTests.EventuallyAsync(async () =>
        {
            var answer = await again.GetFromJsonAsync<JsonElement>(location);
            return answer.GetProperty("state").GetString() is "Completed" or "Failed" or "Rejected" or "Cancelled" ? answer.GetRawText() : null;
        }, TimeSpan.FromMinutes(3));
        var run = JsonDocument.Parse(text).RootElement;

        Assert.True(run.GetProperty("state").GetString() == "Completed", text);
        // One job for the one attempt.
        Assert.Equal([$"{runId}-a1"], Directory.GetDirectories(Path.Combine(_root.FullName, "jobs")).Select(Path.GetFileName));
        // Exactly one promotion: the run's version is active and nothing was active before it.
        var registry = new FolderModelRegistry(_root.FullName);
        var active = (await registry.GetActiveAsync("mpp"))!;
        Assert.Equal(runId + "-a1", active.Version); // registered by the job, promoted by the run
        Assert.Empty(active.Previous);
        Assert.Single(await registry.ListVersionsAsync("mpp"));
        // No partial file anywhere (checkpoint, registry, run documents).
        Assert.Empty(Directory.GetFiles(_root.FullName, "*.partial", SearchOption.AllDirectories));
        // Each step recorded once, in order.
        Assert.Equal(["Snapshot", "Launch", "Monitor", "Evaluate", "Promote", "Refresh"], run.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
    }
}
