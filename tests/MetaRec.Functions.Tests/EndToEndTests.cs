using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using MetaRec.Storage;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The app end to end through its HTTP surface against Azurite: a model trained here, events
/// for a new user through the standalone queue trigger, the state written, the ranking changed.
/// </summary>
public sealed class EndToEndTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Events_for_a_new_user_write_a_state_and_change_the_recommendations()
    {
        var storage = Storage("e2e");
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 20), promote: true);
        await using var app = FunctionAppFactory.Azurite(azurite.ConnectionString, "e2e");
        using var client = app.Authorized();
        await WaitReadyAsync(client);

        var before = await RecommendAsync(client, "newcomer");
        Assert.Equal("cold", before.GetProperty("userState").GetString());
        Assert.Equal("v1", before.GetProperty("modelVersion").GetString());

        var liked = TopItems(before).Take(3).ToArray();
        var events = liked.Select((item, i) => new { eventId = $"n-{i}", userId = "newcomer", itemId = item, rating = 1.0, timestamp = 1_700_000_000 + i }).ToArray();
        // One message holding the three events (a body may be an array), so they arrive in one batch.
        var accepted = await client.PostAsJsonAsync("/api/events", new[] { events });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var store = storage.CreateEmbeddingStore();
        var state = await EventuallyAsync(() => store.GetAsync("limaml", "newcomer"));
        Assert.Equal("v1", state.ModelVersion);
        Assert.Equal(64, state.Values.Length); // limaml's meta embedding (embedding_size 64)
        Assert.Equal(1, state.Watermark);

        var after = await RecommendAsync(client, "newcomer");
        Assert.Equal("personalized", after.GetProperty("userState").GetString());
        Assert.Equal(1, after.GetProperty("watermark").GetInt64());
        Assert.Equal(3, after.GetProperty("recentInteractions").GetInt32());
        // Seen items are excluded, and the scores are the adapted user's, not the cold ones.
        Assert.Empty(TopItems(after).Intersect(liked));
        var coldScores = Scores(before);
        var changed = Scores(after).Where(kv => coldScores.ContainsKey(kv.Key)).Count(kv => Math.Abs(kv.Value - coldScores[kv.Key]) > 1e-6);
        Assert.True(changed > 0, "no common item changed its score after the refresh");
    }

    [Fact]
    public async Task A_bad_batch_is_refused_at_the_api_naming_the_item_and_field_while_poison_on_the_queue_is_dead_lettered()
    {
        var storage = Storage("poison");
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 2), promote: true);
        await using var app = FunctionAppFactory.Azurite(azurite.ConnectionString, "poison");
        using var client = app.Authorized();
        await WaitReadyAsync(client);
        var item = TrainedModels.Dataset.ItemIds[0];
        var body = $$"""[{"eventId":"p-1","userId":"poisoned","itemId":"{{item}}","rating":5,"timestamp":1700000000},{"eventId":"p-2","userId":"poisoned","rating":5,"timestamp":1700000001}]""";

        // Through the API the caller is told, and nothing of the batch is queued.
        foreach (var (bad, index, field) in new[] { (body, 1, "itemId"), ("{not json", -1, null), ("""[{"userId":"x"}]""", 0, "eventId") })
        {
            using var refusedContent = new StringContent(bad, System.Text.Encoding.UTF8, "application/json");
            var refused = await client.PostAsync("/api/events", refusedContent);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.Equal(index < 0 ? JsonValueKind.Null : JsonValueKind.Number, problem.GetProperty("index").ValueKind);
            if (index >= 0)
            {
                Assert.Equal(index, problem.GetProperty("index").GetInt32());
                Assert.Contains($"event [{index}]: ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
        var incoming = new QueueClient(azurite.ConnectionString, "poison-in", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        Assert.True(!await incoming.ExistsAsync() || (await incoming.PeekMessagesAsync(10)).Value.Length == 0, "a refused batch queued nothing");

        // A producer writing to the queue itself has no caller to answer: the poison message is dead-lettered with its reason, the rest applied.
        await incoming.CreateIfNotExistsAsync();
        using var events = JsonDocument.Parse(body);
        foreach (var element in events.RootElement.EnumerateArray())
        {
            await incoming.SendMessageAsync(element.GetRawText());
        }

        var dead = new QueueClient(azurite.ConnectionString, "poison-dead", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        var letter = await EventuallyAsync(async () =>
        {
            if (!await dead.ExistsAsync())
            {
                return null;
            }
            var peeked = await dead.PeekMessagesAsync(10);
            return peeked.Value.Length == 0 ? null : peeked.Value[0].Body.ToString();
        });
        using var parsed = JsonDocument.Parse(letter);
        // Received in one batch, the poison message is dead-lettered at once; received alone, it is
        // refused until the last delivery and then dead-lettered. Either way the reason travels with it.
        Assert.Contains("itemId is missing", parsed.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("p-2", parsed.RootElement.GetProperty("body").GetString(), StringComparison.Ordinal);
        var state = await EventuallyAsync(() => storage.CreateEmbeddingStore().GetAsync("limaml", "poisoned"));
        Assert.Equal(1, state.Watermark);
        var window = await storage.CreateWindowStore().GetAsync("poisoned");
        Assert.Equal(["p-1"], window.Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task The_api_key_is_required_standalone_but_not_for_health()
    {
        await using var app = FunctionAppFactory.Azurite(azurite.ConnectionString, "auth");
        using var anonymous = app.CreateClient();
        var refused = await anonymous.GetAsync("/api/users/u1/recommendations");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        anonymous.DefaultRequestHeaders.Add("x-api-key", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/events", new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/api/health")).StatusCode);
        // No model is registered in this container: ready says so, and scoring answers 503, not 500.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.CreateClient().GetAsync("/api/ready")).StatusCode);
        using var authorized = app.Authorized();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await authorized.GetAsync("/api/users/u1/recommendations")).StatusCode);
    }

    internal static async Task WaitReadyAsync(HttpClient client)
    {
        await EventuallyAsync(async () => (await client.GetAsync("/api/ready")).IsSuccessStatusCode ? "ready" : null);
    }

    internal static async Task<JsonElement> RecommendAsync(HttpClient client, string user, int k = 10)
    {
        var response = await client.GetAsync($"/api/users/{user}/recommendations?k={k}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }

    internal static IEnumerable<string> TopItems(JsonElement answer) =>
        answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("itemId").GetString()!);

    internal static Dictionary<string, float> Scores(JsonElement answer) =>
        answer.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("itemId").GetString()!, i => i.GetProperty("score").GetSingle());

    internal static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var waited = System.Diagnostics.Stopwatch.StartNew(); // monotonic: a wall-clock step cannot end the wait early or late
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(waited.Elapsed < limit, $"timed out after {limit.TotalSeconds:F0} s waiting for the app");
            await Task.Delay(50);
        }
    }

    private StorageOptions Storage(string container) => FunctionAppFactory.Storage(azurite.ConnectionString, container);
}
