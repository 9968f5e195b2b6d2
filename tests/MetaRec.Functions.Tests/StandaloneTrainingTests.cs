using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The training-run API on the standalone host, for real: the app in a test server, the
/// orchestrator on the Durable Task Framework with its Azure Storage backend on Azurite, the job
/// `metarec train` as a child process, the registry in Blob storage.
/// </summary>
public sealed class StandaloneTrainingTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    internal static readonly string CliDll = typeof(StandaloneTrainingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;
    internal static readonly string Data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    private FunctionAppFactory App(string container, LogRecorder? logs = null) => new(new Dictionary<string, string>
    {
        ["MetaRec:Family"] = "mpp",
        ["MetaRec:Storage:Backend"] = "azure",
        ["MetaRec:Storage:ConnectionString"] = azurite.ConnectionString,
        ["MetaRec:Storage:Container"] = container,
        ["MetaRec:Storage:Table"] = FunctionAppFactory.Storage(azurite.ConnectionString, container).Table,
        ["MetaRec:Storage:Folder"] = Path.Combine(Path.GetTempPath(), "metarec-standalone-" + container),
        ["MetaRec:Standalone:Trigger"] = "channel",
        ["MetaRec:ModelPollInterval"] = "00:00:00.200",
        ["MetaRec:Interactions:RefreshInterval"] = "00:00:00",
        ["MetaRec:Timers:Enabled"] = "false",
        ["MetaRec:Auth:ApiKey"] = FunctionAppFactory.ApiKey,
        ["MetaRec:Training:MetarecDll"] = CliDll,
        ["MetaRec:Training:PollInterval"] = "00:00:00.300",
        ["MetaRec:Training:MaxAttempts"] = "1",
        ["MetaRec:Durable:TaskHub"] = "hub" + container.Replace("-", string.Empty, StringComparison.Ordinal),
        ["MetaRec:Durable:MaxQueuePollingInterval"] = "00:00:00.500",
    }, logs is null ? null : services => services.AddSingleton<ILoggerProvider>(logs));

    internal static async Task<JsonElement> WaitFinalAsync(HttpClient client, string location, TimeSpan? patience = null)
    {
        var until = DateTime.UtcNow + (patience ?? TimeSpan.FromMinutes(4));
        var run = default(JsonElement);
        while (DateTime.UtcNow < until)
        {
            run = await client.GetFromJsonAsync<JsonElement>(location);
            if (run.GetProperty("state").GetString() is "Completed" or "Rejected" or "Failed" or "Cancelled")
            {
                return run;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"{location} did not end within its patience; last seen: {run}");
    }

    private static async Task<JsonElement> ProblemAsync(HttpClient client, string body, HttpStatusCode expected)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await client.PostAsync("/api/training-runs", content);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Bad_requests_are_refused_at_start_naming_the_field_and_start_nothing()
    {
        await using var app = App("refuse");
        using var client = app.Authorized();

        Assert.Equal("data", (await ProblemAsync(client, """{"family":"mpp","data":"/nonexistent"}""", HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("device", (await ProblemAsync(client, $$"""{"family":"mpp","data":"{{Data}}","device":"tpu"}""", HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Contains("is not offered", (await ProblemAsync(client, $$"""{"family":"mpp","data":"{{Data}}","device":"cuda"}""", HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("family", (await ProblemAsync(client, $$"""{"family":"nope","data":"{{Data}}"}""", HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("metric", (await ProblemAsync(client, $$"""{"family":"mpp","data":"{{Data}}","metric":"mae"}""", HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal("epochs", (await ProblemAsync(client, $$"""{"family":"mpp","data":"{{Data}}","epochs":"many"}""", HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        await ProblemAsync(client, "{not json", HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/training-runs/run-nothing-here")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/training-runs/NOT_AN_ID/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task A_run_started_over_http_completes_promotes_and_the_new_version_serves_and_a_final_run_cannot_be_cancelled()
    {
        using var logs = new LogRecorder();
        await using var app = App("train", logs);
        using var client = app.Authorized();
        using var wrongKey = app.CreateClient();
        wrongKey.DefaultRequestHeaders.Add("x-api-key", "guessed-" + FunctionAppFactory.ApiKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.GetAsync("/api/training-runs/run-x")).StatusCode);
        var storage = FunctionAppFactory.Storage(azurite.ConnectionString, "train");
        // Events posted before the run reach its training data: the API queues them, the Interactions function logs them.
        var posted = await client.PostAsJsonAsync("/api/events", new[]
        {
            new { eventId = "api-1", userId = "api-user", itemId = "1", rating = 5, timestamp = 1_700_000_000 },
            new { eventId = "api-2", userId = "api-user", itemId = "50", rating = 4, timestamp = 1_700_000_060 },
        });
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var log = storage.CreateInteractionLog();
        await EndToEndTests.EventuallyAsync(async () => (await log.SnapshotAsync()).Events == 2 ? "logged" : null);

        using var content = new StringContent($$"""{"family":"mpp","data":"{{Data}}","epochs":1,"shards":2}""", System.Text.Encoding.UTF8, "application/json");
        var started = await client.PostAsync("/api/training-runs", content);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.ToString();
        var accepted = await started.Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/training-runs/{id}", location);
        Assert.Equal(location + "/cancel", accepted.GetProperty("cancelUri").GetString());

        var run = await WaitFinalAsync(client, location);

        Assert.True(run.GetProperty("state").GetString() == "Completed", run.ToString());
        var result = run.GetProperty("result");
        var version = result.GetProperty("version").GetString();
        Assert.Equal(id + "-a1", version);
        Assert.Equal(
            ["Snapshot", "Launch", "Monitor", "Evaluate", "Promote", "Refresh"],
            result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        Assert.InRange(result.GetProperty("metrics").GetProperty("candidate.auc").GetDouble(), 0.5, 1);
        Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
        await EndToEndTests.EventuallyAsync(async () =>
        {
            var ready = await client.GetAsync("/api/ready");
            return ready.IsSuccessStatusCode && (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("modelVersion").GetString() == version ? "serving" : null;
        });

        var snapshot = result.GetProperty("steps")[0].GetProperty("outcome").GetString()!;
        Assert.Contains("2 of 2 logged events", snapshot, StringComparison.Ordinal);
        var copy = await storage.CreateSnapshotStore().DownloadAsync(id, Directory.CreateTempSubdirectory("metarec-snapshot-copy-").FullName);
        var trained = Core.Data.DatasetReader.Read(copy.DataPath);
        var user = trained.UserIds.ToList().IndexOf("api-user");
        Assert.True(user >= 0, "the posted user is not in the run's training data");
        Assert.Equal(2, trained.Interactions.Count(i => i.User == user));

        var cancel = await client.PostAsync(location + "/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Contains("can no longer be cancelled", await cancel.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Secrets never reach the log: not the API key (nor the wrong one sent), not the storage
        // connection string or its account key, over every line of this whole run, job output included.
        Assert.Contains(logs.Lines, l => l.Message.Contains("401 for /api/training-runs/run-x", StringComparison.Ordinal));
        Assert.True(logs.Lines.Count > 20, $"only {logs.Lines.Count} log lines: the recorder did not see the run");
        foreach (var secret in new[] { FunctionAppFactory.ApiKey, AzuriteFixture.AccountKey, azurite.ConnectionString })
        {
            var leaked = logs.Lines.Where(l => $"{l.Message} {l.Error}".Contains(secret, StringComparison.Ordinal)).Select(l => $"{l.Category}: {l.Message}").ToList();
            Assert.True(leaked.Count == 0, $"a secret is in {leaked.Count} log lines, e.g. {leaked.FirstOrDefault()?.Replace(secret, "<secret>", StringComparison.Ordinal)}");
        }
    }
}
