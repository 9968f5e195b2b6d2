using System.Net.Http.Json;
using System.Text.Json;
using MetaRec.Functions.Functions;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaRec.Functions.Tests;

/// <summary>
/// Promoting a new version while requests run: every request succeeds, answers switch to the
/// new version, and a state of the old version is never scored with the new one (cold path)
/// until a refresh rewrites it for the new version.
/// </summary>
public sealed class HotSwapTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_promotion_swaps_the_model_with_no_failed_request_and_old_states_are_refreshed_not_used()
    {
        var storage = FunctionAppFactory.Storage(azurite.ConnectionString, "swap");
        var registry = storage.CreateRegistry();
        await TrainedModels.RegisterAsync(registry, "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        await using var app = FunctionAppFactory.Azurite(azurite.ConnectionString, "swap", trigger: "channel");
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        var item = TrainedModels.Dataset.ItemIds[10];
        var first = JsonSerializer.Serialize(new { eventId = "s-1", userId = "swapper", itemId = item, rating = 5, timestamp = 1_700_000_000 });
        await InvokeAsync(app, first);
        Assert.Equal("personalized", (await EndToEndTests.RecommendAsync(client, "swapper")).GetProperty("userState").GetString());

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var versions = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.GetAsync("/api/users/someone/recommendations?k=5");
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }
                versions.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("modelVersion").GetString()!);
            }
        })).ToArray();
        await TrainedModels.RegisterAsync(registry, "v2", TrainedModels.Train(seed: 2, steps: 3), promote: true);
        await EndToEndTests.EventuallyAsync(async () =>
            (await EndToEndTests.RecommendAsync(client, "someone")).GetProperty("modelVersion").GetString() == "v2" ? "swapped" : null);
        // Keep the load on for 20 more answers after the swap (progress, not a fixed sleep).
        var seen = versions.Count;
        await EndToEndTests.EventuallyAsync(() => Task.FromResult(versions.Count >= seen + 20 ? "more answers" : null));
        await stop.CancelAsync();
        await Task.WhenAll(load);
        Assert.Equal(0, failures);
        Assert.Contains("v1", versions);
        Assert.Contains("v2", versions);

        // The stored state belongs to v1: v2 scores the user cold rather than misreading it.
        var stale = await EndToEndTests.RecommendAsync(client, "swapper");
        Assert.Equal("v2", stale.GetProperty("modelVersion").GetString());
        Assert.Equal("cold", stale.GetProperty("userState").GetString());

        // A redelivered event adds nothing to the window, but the state is for another version:
        // it is refreshed for v2 with a higher watermark.
        await InvokeAsync(app, first);
        var state = await storage.CreateEmbeddingStore().GetAsync("limaml", "swapper");
        Assert.Equal("v2", state!.ModelVersion);
        Assert.Equal(2, state.Watermark);
        var fresh = await EndToEndTests.RecommendAsync(client, "swapper");
        Assert.Equal("personalized", fresh.GetProperty("userState").GetString());
        Assert.Equal(2, fresh.GetProperty("watermark").GetInt64());
    }

    /// <summary>One delivery to the Interactions function, as its trigger would make it.</summary>
    private static async Task InvokeAsync(FunctionAppFactory app, string body)
    {
        var outcome = await app.Services.GetRequiredService<InteractionsFunction>().InvokeAsync([new IncomingMessage(body, "m", 1)], CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Failure);
    }
}
