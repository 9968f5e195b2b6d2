using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>The training functions through the custom-handler contract, with the host's HTTP and queue-trigger payloads.</summary>
public sealed class TrainingContractTests : IDisposable
{
    private static readonly string CliDll = typeof(TrainingContractTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-training-contract-");

    public void Dispose() => _root.Delete(recursive: true);

    private FunctionAppFactory App(bool configured = true) => FunctionAppFactory.Folder(_root.FullName, new Dictionary<string, string>
    {
        ["MetaRec:Family"] = "mpp",
        ["MetaRec:Training:Metarec"] = configured ? CliDll : string.Empty,
        ["MetaRec:Training:PollInterval"] = "00:00:00.300",
        ["MetaRec:Timers:Enabled"] = "false",
    });

    private static async Task<(HttpStatusCode Status, JsonElement Result)> PostAsync(HttpClient host, string function, string invocation)
    {
        using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
        var response = await host.PostAsync("/" + function, content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>What the host posts for a Storage-queue trigger bound as a string: the body JSON-encoded once more.</summary>
    private static string QueueInvocation(string body) =>
        JsonSerializer.Serialize(new { Data = new { message = JsonSerializer.Serialize(body) }, Metadata = new { DequeueCount = "1", Id = "\"6f2a\"" } });

    [Fact]
    public async Task Start_get_and_advance_speak_the_hosts_payloads()
    {
        await using var app = App();
        using var host = app.CreateClient();
        var data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");
        var body = JsonSerializer.Serialize(new { family = "mpp", data, epochs = 1 });

        var (status, started) = await PostAsync(host, "StartTrainingRun", CustomHandlerContractTests.HttpInvocation("POST", "https://app.example/api/training-runs", "{}", "{}", body));

        Assert.Equal(HttpStatusCode.OK, status);
        var res = started.GetProperty("Outputs").GetProperty("res");
        Assert.Equal(202, res.GetProperty("statusCode").GetInt32());
        var run = JsonDocument.Parse(res.GetProperty("body").GetString()!).RootElement;
        var id = run.GetProperty("id").GetString()!;
        Assert.Equal($"/api/training-runs/{id}", res.GetProperty("headers").GetProperty("Location").GetString());

        var (_, got) = await PostAsync(host, "GetTrainingRun", CustomHandlerContractTests.HttpInvocation("GET", $"https://app.example/api/training-runs/{id}", "{}", $$"""{"runId":"{{id}}"}""", null));
        var gotRes = got.GetProperty("Outputs").GetProperty("res");
        Assert.Equal(200, gotRes.GetProperty("statusCode").GetInt32());
        Assert.Equal(id, JsonDocument.Parse(gotRes.GetProperty("body").GetString()!).RootElement.GetProperty("id").GetString());

        // A message for a revision the run has left is acknowledged and ignored.
        var (staleStatus, stale) = await PostAsync(host, "AdvanceTrainingRun", QueueInvocation($$"""{"runId":"{{id}}","revision":999}"""));
        Assert.Equal(HttpStatusCode.OK, staleStatus);
        Assert.Contains("stale message", stale.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);

        // A malformed message fails the invocation, so the host retries it and then poisons it.
        var (badStatus, bad) = await PostAsync(host, "AdvanceTrainingRun", QueueInvocation("{not json"));
        Assert.Equal(HttpStatusCode.InternalServerError, badStatus);
        Assert.Contains("AdvanceMessage", bad.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);

        var (_, missing) = await PostAsync(host, "GetTrainingRun", CustomHandlerContractTests.HttpInvocation("GET", "https://app.example/api/training-runs/run-nope", "{}", """{"runId":"run-nope"}""", null));
        Assert.Equal(404, missing.GetProperty("Outputs").GetProperty("res").GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Bad_requests_are_400_naming_the_field_and_an_unconfigured_app_is_503()
    {
        await using (var app = App())
        {
            using var client = app.Authorized();
            var device = await client.PostAsJsonAsync("/api/training-runs", new { family = "mpp", data = "x", device = "tpu" });
            Assert.Equal(HttpStatusCode.BadRequest, device.StatusCode);
            Assert.Equal("Device", (await device.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
            var cuda = await client.PostAsJsonAsync("/api/training-runs", new { family = "mpp", data = "x", device = "cuda" });
            Assert.Equal(HttpStatusCode.BadRequest, cuda.StatusCode); // MetaRec:Training:Devices offers cpu only
            Assert.Contains("device cuda is not offered", await cuda.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var family = await client.PostAsJsonAsync("/api/training-runs", new { family = "nope", data = "x" });
            Assert.Contains("no model family 'nope'", await family.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var notJson = await client.PostAsync("/api/training-runs", new StringContent("{oops", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/training-runs/run-nope/cancel", null)).StatusCode);
        }
        await using var unconfigured = App(configured: false);
        using var other = unconfigured.Authorized();
        var refused = await other.PostAsJsonAsync("/api/training-runs", new { family = "mpp", data = "x" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("MetaRec:Training:Metarec", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_run_promotes_its_model_the_fan_out_refreshes_the_active_users_for_it()
    {
        await using var app = App();
        using var client = app.Authorized();
        var events = await client.PostAsync("/api/events", new StringContent("""[{"eventId":"e1","userId":"early-user","itemId":"1","rating":5,"timestamp":1700000000}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, events.StatusCode);
        var data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");
        var started = await client.PostAsJsonAsync("/api/training-runs", new { family = "mpp", data, epochs = 1, shards = 3 });
        var location = started.Headers.Location!.ToString();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // No model existed when the event arrived, so the user had no state; the fan-out gives it one.
        var answer = await EndToEndTests.EventuallyAsync(async () =>
        {
            var run = await client.GetFromJsonAsync<JsonElement>(location);
            Assert.NotEqual("Failed", run.GetProperty("state").GetString());
            var response = await client.GetAsync("/api/users/early-user/recommendations?k=3");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("userState").GetString() == "personalized" ? body.GetRawText() : null;
        }, TimeSpan.FromMinutes(2));

        var served = JsonDocument.Parse(answer).RootElement;
        Assert.Equal(runId + "-a1", served.GetProperty("modelVersion").GetString());
        Assert.Equal(1, served.GetProperty("watermark").GetInt64());
    }
}

public sealed class TrainingSettingsTests
{
    [Fact]
    public void The_launcher_and_its_container_apps_job_are_validated_naming_the_setting()
    {
        var unknown = Assert.Throws<ArgumentException>(() => new FunctionAppOptions { Training = new() { Launcher = "k8s" } }.Validate());
        Assert.Contains("MetaRec:Training:Launcher must be local or aca, not 'k8s'", unknown.Message, StringComparison.Ordinal);

        var incomplete = Assert.Throws<ArgumentException>(() => new FunctionAppOptions { Training = new() { Launcher = "aca" } }.Validate());
        Assert.Contains("MetaRec:Training:ContainerApps:", incomplete.Message, StringComparison.Ordinal);

        var aca = new Training.TrainingOptions
        {
            Launcher = "aca",
            ContainerApps = new() { SubscriptionId = "00000000-0000-0000-0000-000000000001", ResourceGroup = "rg", JobName = "metarec-train", ContainerName = "metarec" },
        };
        aca.Validate();
        Assert.True(aca.IsConfigured); // the job's image brings metarec; no local tool needed
        Assert.False(new Training.TrainingOptions().IsConfigured);
    }

    [Fact]
    public void Devices_and_the_libtorch_folder_are_validated_naming_the_setting()
    {
        Assert.Equal(["cpu"], new Training.TrainingOptions().DeviceList);
        Assert.Equal(["cpu", "cuda:1"], new Training.TrainingOptions { Devices = " cpu, cuda:1 " }.DeviceList);

        var bad = Assert.Throws<ArgumentException>(() => new Training.TrainingOptions { Devices = "cpu,gpu" }.Validate());
        Assert.Contains("MetaRec:Training:Devices: device must be cpu, cuda or cuda:N, not 'gpu'", bad.Message, StringComparison.Ordinal);
        var none = Assert.Throws<ArgumentException>(() => new Training.TrainingOptions { Devices = " , " }.Validate());
        Assert.Contains("MetaRec:Training:Devices must list at least one device", none.Message, StringComparison.Ordinal);
        var folder = Assert.Throws<ArgumentException>(() => new Training.TrainingOptions { LibTorch = "/no/such/libtorch" }.Validate());
        Assert.Contains("MetaRec:Training:LibTorch names '/no/such/libtorch', which does not exist", folder.Message, StringComparison.Ordinal);
    }
}
