using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetaRec.Storage;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The custom-handler endpoints fed the payloads the Functions host sends: HTTP requests with
/// PascalCase fields, header arrays and the body as text; Service Bus messages bound as strings,
/// so a body arrives JSON-encoded and string metadata twice encoded; batches with *Array
/// metadata serialized into strings.
/// </summary>
public sealed class CustomHandlerContractTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    /// <summary>The host writes PascalCase names.</summary>
    private static readonly JsonSerializerOptions HostJson = new();

    private FunctionAppFactory _app = null!;
    private HttpClient _host = null!;
    private StorageOptions _storage = null!;
    private string _item = null!;

    public async Task InitializeAsync()
    {
        var container = "contract" + Guid.NewGuid().ToString("N")[..8]; // xunit builds the class per test
        _storage = FunctionAppFactory.Storage(azurite.ConnectionString, container);
        await TrainedModels.RegisterAsync(_storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 3, steps: 5), promote: true);
        _app = FunctionAppFactory.Azurite(azurite.ConnectionString, container, trigger: "channel");
        _host = _app.CreateClient(); // the host calls the handler without the standalone key
        await EndToEndTests.WaitReadyAsync(_app.Authorized());
        _item = TrainedModels.Dataset.ItemIds[5];
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Score_answers_in_the_res_output_with_the_model_version()
    {
        var invocation = HttpInvocation("POST", "https://app.example/api/score", query: "{}", parameters: "{}",
            body: JsonSerializer.Serialize(new { userId = "u-score", itemIds = new[] { _item, TrainedModels.Dataset.ItemIds[6] } }));
        var res = await InvokeHttpAsync("Score", invocation);
        Assert.Equal(200, res.GetProperty("statusCode").GetInt32());
        Assert.Equal("application/json", res.GetProperty("headers").GetProperty("Content-Type").GetString());
        using var body = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        Assert.Equal("v1", body.RootElement.GetProperty("modelVersion").GetString());
        Assert.Equal(2, body.RootElement.GetProperty("items").GetArrayLength());
        Assert.All(body.RootElement.GetProperty("items").EnumerateArray(), i => Assert.InRange(i.GetProperty("score").GetSingle(), 0f, 1f));
    }

    [Fact]
    public async Task Unknown_items_give_a_404_problem_naming_them_inside_a_successful_invocation()
    {
        var invocation = HttpInvocation("POST", "https://app.example/api/score", query: "{}", parameters: "{}",
            body: JsonSerializer.Serialize(new { userId = "u-score", itemIds = new[] { _item, "no-such-item", "nor-this" } }));
        var res = await InvokeHttpAsync("Score", invocation);
        Assert.Equal(404, res.GetProperty("statusCode").GetInt32());
        Assert.Equal("application/problem+json", res.GetProperty("headers").GetProperty("Content-Type").GetString());
        using var problem = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        Assert.Equal(["no-such-item", "nor-this"], problem.RootElement.GetProperty("unknownItems").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Recommend_reads_the_route_parameter_and_query_and_enforces_the_k_limit()
    {
        var res = await InvokeHttpAsync("Recommend", HttpInvocation("GET", "https://app.example/api/users/u-rec/recommendations?k=4", query: """{"k":"4","excludeSeen":"false"}""", parameters: """{"userId":"u-rec"}""", body: null));
        Assert.Equal(200, res.GetProperty("statusCode").GetInt32());
        using var body = JsonDocument.Parse(res.GetProperty("body").GetString()!);
        Assert.Equal("u-rec", body.RootElement.GetProperty("userId").GetString());
        Assert.Equal(4, body.RootElement.GetProperty("items").GetArrayLength());

        var tooMany = await InvokeHttpAsync("Recommend", HttpInvocation("GET", "https://app.example/api/users/u-rec/recommendations?k=5000", query: """{"k":"5000"}""", parameters: """{"userId":"u-rec"}""", body: null));
        Assert.Equal(400, tooMany.GetProperty("statusCode").GetInt32());
        Assert.Contains("k must be 1–100", tooMany.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_string_bound_message_with_double_encoded_metadata_is_applied_once_and_redelivery_changes_nothing()
    {
        var body = JsonSerializer.Serialize(new { eventId = "single-1", userId = "u-single", itemId = _item, rating = 5, timestamp = 1_700_000_000 });
        var invocation = new
        {
            Data = new { messages = JsonSerializer.Serialize(body) },
            Metadata = new { MessageId = "\"msg-1\"", DeliveryCount = "1", ContentType = "\"application/json\"", EnqueuedTimeUtc = "2026-11-23T10:00:00" },
        };
        var first = await _host.PostAsJsonAsync("/Interactions", invocation, HostJson);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var store = _storage.CreateEmbeddingStore();
        var state = await store.GetAsync("limaml", "u-single");
        Assert.NotNull(state);
        Assert.Equal(1, state.Watermark);

        // Redelivered (the lock expired, say): same window, same state, nothing rewritten.
        var again = await _host.PostAsJsonAsync("/Interactions", invocation, HostJson);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var result = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("1 duplicate(s)", result.GetProperty("Logs")[0].GetString(), StringComparison.Ordinal);
        var after = await store.GetAsync("limaml", "u-single");
        Assert.Equal(state.Watermark, after!.Watermark);
        Assert.Equal(state.UpdatedUtc, after.UpdatedUtc);
        Assert.Equal(state.Values, after.Values);
        var window = await _storage.CreateWindowStore().GetAsync("u-single");
        Assert.Single(window.Events);
    }

    [Fact]
    public async Task A_poison_message_delivered_alone_is_refused_with_a_non_2xx_and_its_reason()
    {
        var invocation = new { Data = new { messages = JsonSerializer.Serialize("{\"eventId\":\"x\",") }, Metadata = new { MessageId = "\"bad-1\"", DeliveryCount = "3" } };
        var response = await _host.PostAsJsonAsync("/Interactions", invocation, HostJson);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        var log = result.GetProperty("Logs")[0].GetString()!;
        Assert.Contains("bad-1", log, StringComparison.Ordinal);
        Assert.Contains("delivery 3", log, StringComparison.Ordinal);
        Assert.Contains("not JSON", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_applies_the_valid_messages_and_puts_each_poison_one_on_the_dead_letter_output()
    {
        string[] bodies =
        [
            JsonSerializer.Serialize(new { eventId = "b-1", userId = "u-batch", itemId = _item, rating = 4, timestamp = 1_700_000_000 }),
            """{"specversion":"1.0","type":"com.example.unknown","source":"/x","id":"b-2","data":{}}""",
            JsonSerializer.Serialize(new { specversion = "1.0", type = "com.metarec.interaction", source = "/shop", id = "b-3", time = "2026-11-23T10:00:00Z", data = new { userId = "u-batch", itemId = TrainedModels.Dataset.ItemIds[7], rating = 2 } }),
            """{"eventId":"b-4","userId":"u-batch","itemId":"1","rating":"five","timestamp":1700000000}""",
        ];
        var invocation = new
        {
            Data = new { messages = JsonSerializer.Serialize(bodies) },
            Metadata = new { MessageIdArray = """["m1","m2","m3","m4"]""", DeliveryCountArray = "[1,1,2,1]" },
        };
        var response = await _host.PostAsJsonAsync("/Interactions", invocation, HostJson);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        var letters = result.GetProperty("Outputs").GetProperty("deadletter").EnumerateArray().Select(l => JsonDocument.Parse(l.GetString()!).RootElement).ToList();
        Assert.Equal(["m2", "m4"], letters.Select(l => l.GetProperty("messageId").GetString()));
        Assert.Contains("unknown schema", letters[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("rating must be a number, not \"five\"", letters[1].GetProperty("reason").GetString());
        Assert.Equal(bodies[3], letters[1].GetProperty("body").GetString());
        var window = await _storage.CreateWindowStore().GetAsync("u-batch");
        Assert.Equal(["b-1", "b-3"], window.Events.Select(e => e.EventId).Order());
        Assert.NotNull(await _storage.CreateEmbeddingStore().GetAsync("limaml", "u-batch"));
    }

    [Fact]
    public async Task The_host_startup_probe_and_health_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.GetAsync("/")).StatusCode);
        var res = await InvokeHttpAsync("Ready", HttpInvocation("GET", "https://app.example/api/ready", query: "{}", parameters: "{}", body: null));
        Assert.Equal(200, res.GetProperty("statusCode").GetInt32());
        Assert.Contains("\"modelVersion\":\"v1\"", res.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    internal static string HttpInvocation(string method, string url, string query, string parameters, string? body)
    {
        var req = new JsonObject
        {
            ["Url"] = url,
            ["Method"] = method,
            ["Query"] = JsonNode.Parse(query),
            ["Headers"] = new JsonObject { ["Content-Type"] = new JsonArray("application/json"), ["Host"] = new JsonArray("app.example") },
            ["Params"] = JsonNode.Parse(parameters),
            ["Identities"] = new JsonArray(new JsonObject { ["AuthenticationType"] = "WebJobsAuthLevel", ["IsAuthenticated"] = true }),
        };
        if (body is not null)
        {
            req["Body"] = body; // the raw request text; absent when the request has no content
        }
        var sys = new JsonObject { ["MethodName"] = "Fn", ["UtcNow"] = "2026-11-23T10:00:00Z", ["RandGuid"] = Guid.Empty.ToString() };
        return new JsonObject { ["Data"] = new JsonObject { ["req"] = req }, ["Metadata"] = new JsonObject { ["sys"] = sys } }.ToJsonString();
    }

    private async Task<JsonElement> InvokeHttpAsync(string function, string invocation)
    {
        using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
        var response = await _host.PostAsync("/" + function, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        return result.GetProperty("Outputs").GetProperty("res");
    }
}
