using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Serving;
using MetaRec.Storage;
using MetaRec.Storage.Interactions;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static MetaRec.Functions.Tests.AppRequests;

namespace MetaRec.Functions.Tests;

/// <summary>
/// <c>DELETE /api/users/{userId}</c> through the app's HTTP surface, on folder storage and on
/// Azurite: the user's state, window, cached rankings and scheduled refresh are gone, the log
/// holds a tombstone, the user is served cold, the answer is 204 every time, and the audit line
/// names the user by a hash prefix only.
/// </summary>
public sealed class DeleteUserTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const long Stamp = 1_700_000_000;
    private readonly TempFolder _temp = new("metarec-delete-user-");
    private readonly LogRecorder _logs = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Deleting_a_user_removes_their_data_serves_them_cold_and_answers_204_every_time()
    {
        var storage = new StorageOptions { Backend = "folder", Folder = _temp.Path };
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        // An hour's debounce: the leaver's second event leaves a refresh scheduled, which the deletion cancels.
        await using var app = FunctionAppFactory.Folder(_temp.Path, new Dictionary<string, string> { ["MetaRec:Interactions:RefreshInterval"] = "01:00:00" },
            services => services.AddSingleton<ILoggerProvider>(_logs));
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        await PostEventAsync(client, "l-1", "leaver", TrainedModels.Dataset.ItemIds[10], Stamp);
        await PostEventAsync(client, "s-1", "stayer", TrainedModels.Dataset.ItemIds[11], Stamp);
        await RecommendWhenAsync(client, "leaver", a => a.GetProperty("userState").GetString() == "personalized");
        await PostEventAsync(client, "l-2", "leaver", TrainedModels.Dataset.ItemIds[12], Stamp + 1);
        await RecommendWhenAsync(client, "leaver", a => a.GetProperty("recentInteractions").GetInt32() == 2);
        Assert.True((await RecommendAsync(client, "leaver")).GetProperty("cached").GetBoolean());
        var scheduler = app.Services.GetRequiredService<RefreshScheduler>();
        Assert.True(scheduler.IsPending("leaver"));
        await RecommendWhenAsync(client, "stayer", a => a.GetProperty("userState").GetString() == "personalized");

        using var anonymous = app.CreateClient();
        await AssertDeletedAsync(client, anonymous, storage, "leaver", "stayer");

        Assert.False(scheduler.IsPending("leaver"));
        // A refresh after the deletion (the cancelled one, a retried message) has no window to adapt on and writes nothing.
        Assert.False(await app.Services.GetRequiredService<InteractionProcessor>().RefreshAsync("leaver", CancellationToken.None));
        Assert.Null(await storage.CreateEmbeddingStore().GetAsync("limaml", "leaver"));
        Assert.Equal(0, app.Services.GetRequiredService<RecommendationCache>().Forget("leaver"));
        var audit = Assert.Single(_logs.Lines, l => l.Message.StartsWith("user data deleted", StringComparison.Ordinal) && l.Message.Contains("state=1 ", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, audit.Level);
        Assert.Contains($"user hash {UserTombstone.HashOf("leaver")[..12]}, state=1 deleted, window=deleted, cached rankings=", audit.Message, StringComparison.Ordinal);
        Assert.Contains("events tombstoned at ", audit.Message, StringComparison.Ordinal);
        // Every audit line (the deletes again and of a stranger too) names users by hash only.
        var audits = _logs.Lines.Where(l => l.Category == typeof(UserDeletion).FullName).ToList();
        Assert.Equal(3, audits.Count);
        Assert.All(audits, l => Assert.DoesNotContain("leaver", l.Message, StringComparison.Ordinal));
        Assert.All(audits, l => Assert.DoesNotContain("stranger", l.Message, StringComparison.Ordinal));
        Assert.Contains(audits, l => l.Message.Contains("state=0 deleted, window=none, cached rankings=0 dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_azurite_the_state_in_table_and_the_window_and_tombstone_in_blob_are_handled_the_same()
    {
        var storage = FunctionAppFactory.Storage(azurite.ConnectionString, "deleteuser");
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        await using var app = FunctionAppFactory.Azurite(azurite.ConnectionString, "deleteuser", trigger: "channel");
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        await PostEventAsync(client, "l-1", "leaver", TrainedModels.Dataset.ItemIds[10], Stamp);
        await PostEventAsync(client, "s-1", "stayer", TrainedModels.Dataset.ItemIds[11], Stamp);
        await RecommendWhenAsync(client, "leaver", a => a.GetProperty("userState").GetString() == "personalized");
        await RecommendWhenAsync(client, "stayer", a => a.GetProperty("userState").GetString() == "personalized");

        using var anonymous = app.CreateClient();
        await AssertDeletedAsync(client, anonymous, storage, "leaver", "stayer");
    }

    /// <summary>Deletes <paramref name="user"/> over HTTP (<paramref name="anonymous"/> has no key) and checks the answers, the storage and that <paramref name="other"/> is untouched.</summary>
    private static async Task AssertDeletedAsync(HttpClient client, HttpClient anonymous, StorageOptions storage, string user, string other)
    {
        var states = storage.CreateEmbeddingStore();
        var windows = storage.CreateWindowStore();
        Assert.NotNull(await states.GetAsync("limaml", user));
        Assert.NotNull((await windows.GetAsync(user)).ETag);

        var deleted = await client.DeleteAsync($"/api/users/{user}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());

        var cold = await RecommendAsync(client, user);
        Assert.Equal("cold", cold.GetProperty("userState").GetString());
        Assert.Equal(0, cold.GetProperty("recentInteractions").GetInt32());
        Assert.False(cold.GetProperty("cached").GetBoolean());
        Assert.Null(await states.GetAsync("limaml", user));
        Assert.Null((await windows.GetAsync(user)).ETag);
        Assert.DoesNotContain(user, await ListAsync(windows.ListUsersAsync()));
        Assert.NotNull((await storage.CreateInteractionLog().ReadTombstonesAsync()).DeletedAt(user));
        Assert.Equal("personalized", (await RecommendAsync(client, other)).GetProperty("userState").GetString());
        Assert.NotNull(await states.GetAsync("limaml", other));

        // Again, and for a user never seen: the same answer.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/users/{user}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/users/stranger")).StatusCode);

        var bad = await client.DeleteAsync("/api/users/bad!id");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>(AppRequests.Json);
        Assert.Equal("userId", problem.GetProperty("field").GetString());
        Assert.Contains("userId 'bad!id' is not valid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Like every route but health and readiness, it needs the key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"/api/users/{other}")).StatusCode);
        Assert.NotNull(await states.GetAsync("limaml", other));
    }

    private static async Task<List<string>> ListAsync(IAsyncEnumerable<string> users)
    {
        var list = new List<string>();
        await foreach (var user in users)
        {
            list.Add(user);
        }
        return list;
    }
}
