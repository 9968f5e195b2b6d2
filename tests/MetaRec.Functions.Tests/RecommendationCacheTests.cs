using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetaRec.Functions.Serving;
using MetaRec.Storage;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using static MetaRec.Functions.Tests.AppRequests;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The per-user result cache through the app's HTTP surface: a repeated request is answered from
/// it (<c>"cached": true</c>), and a refresh, an event not yet refreshed, or a promotion is never
/// answered with the list cached before it; with capacity 0 nothing is cached.
/// </summary>
public sealed class RecommendationCacheTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const long Stamp = 1_700_000_000;
    private readonly TempFolder _temp = new("metarec-result-cache-");

    private string Folder => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_repeated_request_is_served_from_the_cache_until_an_event_refreshes_the_user()
    {
        await TrainedModels.RegisterAsync(FunctionAppFactory.Storage(azurite.ConnectionString, "cache").CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        await using var app = Azurite("cache");
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        await PostEventAsync(client, "c-1", "reloader", TrainedModels.Dataset.ItemIds[10], Stamp);

        var first = await RecommendWhenAsync(client, "reloader", a => Watermark(a) == 1);
        Assert.False(Cached(first));
        var again = await RecommendAsync(client, "reloader");
        Assert.True(Cached(again));
        Assert.Equal(Items(first), Items(again));
        Assert.Equal("v1", again.GetProperty("modelVersion").GetString());

        // A smaller k is a prefix of the cached list; a larger one is scored and cached deeper.
        var five = await RecommendAsync(client, "reloader", k: 5);
        Assert.True(Cached(five));
        Assert.Equal(Items(first).Take(5), Items(five));
        Assert.False(Cached(await RecommendAsync(client, "reloader", k: 25)));
        var deeper = await RecommendAsync(client, "reloader", k: 25);
        Assert.True(Cached(deeper));
        Assert.Equal(Items(first), Items(deeper).Take(10));
        Assert.Equal(1, app.Services.GetRequiredService<RecommendationCache>().Count);

        // An event for the top item: the refreshed state has a new watermark, the answer is scored
        // again, the item is excluded, and the cached list is not served.
        var top = first.GetProperty("items")[0].GetProperty("itemId").GetString()!;
        await PostEventAsync(client, "c-2", "reloader", top, Stamp + 1);
        var refreshed = await RecommendWhenAsync(client, "reloader", a => Watermark(a) == 2);
        Assert.False(Cached(refreshed));
        Assert.Equal(2, refreshed.GetProperty("recentInteractions").GetInt32());
        Assert.DoesNotContain(top, EndToEndTests.TopItems(refreshed));
        Assert.NotEqual(Items(first), Items(refreshed));
        var reloaded = await RecommendAsync(client, "reloader");
        Assert.True(Cached(reloaded));
        Assert.Equal(Items(refreshed), Items(reloaded));
    }

    [Fact]
    public async Task After_a_promotion_the_new_version_answers_not_the_list_cached_under_the_old_one()
    {
        var registry = FunctionAppFactory.Storage(azurite.ConnectionString, "cacheswap").CreateRegistry();
        await TrainedModels.RegisterAsync(registry, "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        await using var app = Azurite("cacheswap");
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        await PostEventAsync(client, "w-1", "returning", TrainedModels.Dataset.ItemIds[10], Stamp);
        var old = await RecommendWhenAsync(client, "returning", a => Watermark(a) == 1);
        Assert.True(Cached(await RecommendAsync(client, "returning")));

        await TrainedModels.RegisterAsync(registry, "v2", TrainedModels.Train(seed: 2, steps: 3), promote: true);
        var swapped = await RecommendWhenAsync(client, "returning", a => a.GetProperty("modelVersion").GetString() == "v2");
        Assert.False(Cached(swapped));
        Assert.Equal("cold", swapped.GetProperty("userState").GetString()); // the state is v1's until refreshed

        await PostEventAsync(client, "w-2", "returning", TrainedModels.Dataset.ItemIds[20], Stamp + 1);
        var fresh = await RecommendWhenAsync(client, "returning", a => a.GetProperty("userState").GetString() == "personalized");
        Assert.Equal("v2", fresh.GetProperty("modelVersion").GetString());
        Assert.False(Cached(fresh));
        Assert.NotEqual(Items(old), Items(fresh));
        var repeated = await RecommendAsync(client, "returning");
        Assert.True(Cached(repeated));
        Assert.Equal("v2", repeated.GetProperty("modelVersion").GetString());
        Assert.Equal(Items(fresh), Items(repeated));
    }

    [Fact]
    public async Task An_event_is_excluded_at_once_although_the_users_refresh_waits_for_the_debounce()
    {
        await RegisterInFolderAsync();
        await using var app = FunctionAppFactory.Folder(Folder, new Dictionary<string, string> { ["MetaRec:Interactions:RefreshInterval"] = "01:00:00" });
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        await PostEventAsync(client, "d-1", "browser", TrainedModels.Dataset.ItemIds[10], Stamp);
        var first = await RecommendWhenAsync(client, "browser", a => Watermark(a) == 1);
        Assert.True(Cached(await RecommendAsync(client, "browser")));

        // The user's first refresh ran at once; this event's refresh waits an hour. The window has
        // it already, so the item is excluded now and the list cached before it is not served.
        var top = first.GetProperty("items")[0].GetProperty("itemId").GetString()!;
        await PostEventAsync(client, "d-2", "browser", top, Stamp + 1);
        var merged = await RecommendWhenAsync(client, "browser", a => a.GetProperty("recentInteractions").GetInt32() == 2);
        Assert.Equal(1, Watermark(merged));
        Assert.False(Cached(merged));
        Assert.DoesNotContain(top, EndToEndTests.TopItems(merged));
        Assert.Equal(Items(first).Skip(1), Items(merged).Take(9)); // same state, one item fewer
        Assert.True(Cached(await RecommendAsync(client, "browser")));
    }

    [Fact]
    public async Task Concurrent_requests_for_one_user_agree_with_the_uncached_ranking_and_capacity_0_caches_nothing()
    {
        await RegisterInFolderAsync();
        var answers = new List<(int K, JsonElement Answer)>();
        await using (var app = FunctionAppFactory.Folder(Folder))
        {
            using var client = app.Authorized();
            await EndToEndTests.WaitReadyAsync(client);
            await PostEventAsync(client, "r-1", "racer", TrainedModels.Dataset.ItemIds[10], Stamp);
            // Polled with seen items kept, so the burst below starts with nothing cached for its key.
            await EndToEndTests.EventuallyAsync(async () =>
                (await GetAsync(client, "/api/users/racer/recommendations?k=1&excludeSeen=false")).GetProperty("userState").GetString() == "personalized" ? "ready" : null);
            int[] ks = [1, 3, 10, 25, 50];
            var burst = Enumerable.Range(0, 40).Select(async i => (ks[i % ks.Length], await RecommendAsync(client, "racer", ks[i % ks.Length])));
            answers.AddRange(await Task.WhenAll(burst));
            // Whichever order the burst's misses finished in, the deepest list stayed: every k is a hit now.
            foreach (var k in ks)
            {
                var after = await RecommendAsync(client, "racer", k);
                Assert.True(Cached(after));
                answers.Add((k, after));
            }
        }

        await using var uncached = FunctionAppFactory.Folder(Folder, new Dictionary<string, string> { ["MetaRec:Scoring:ResultCacheCapacity"] = "0" });
        using var plain = uncached.Authorized();
        await EndToEndTests.WaitReadyAsync(plain);
        var reference = await RecommendAsync(plain, "racer", k: 50);
        for (var i = 0; i < 3; i++)
        {
            var repeated = await RecommendAsync(plain, "racer", k: 50);
            Assert.False(Cached(repeated));
            Assert.Equal(Items(reference), Items(repeated));
        }
        Assert.False(Cached(reference));
        Assert.Equal(0, uncached.Services.GetRequiredService<RecommendationCache>().Count);
        Assert.Equal(50, Items(reference).Count);
        foreach (var (k, answer) in answers)
        {
            Assert.Equal(Items(reference).Take(k), Items(answer));
        }
    }

    [Fact]
    public async Task A_personalized_list_is_the_users_scores_over_the_whole_catalogue_sorted_without_seen_items()
    {
        // The list comes from the model's catalogue ranker (managed SIMD); /api/score goes through
        // libtorch. Both must give the same items and scores, in sorted order up to float rounding.
        await RegisterInFolderAsync();
        var all = TrainedModels.Dataset.ItemIds;
        await using var app = FunctionAppFactory.Folder(Folder, new Dictionary<string, string> { ["MetaRec:Scoring:MaxCandidates"] = $"{all.Count}" });
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        string[] seen = [all[10], all[20], all[30]];
        for (var i = 0; i < seen.Length; i++)
        {
            await PostEventAsync(client, $"s-{i}", "sorter", seen[i], Stamp + i);
        }
        await RecommendWhenAsync(client, "sorter", a => a.GetProperty("recentInteractions").GetInt32() == 3 && Watermark(a) is not null);

        // Refreshes may still be landing: compare only a list and scores that the same user state answered.
        JsonElement scored, listed;
        var attempts = 0;
        do
        {
            Assert.True(++attempts <= 50, "the user's state kept changing between /api/score and /api/recommend");
            var response = await client.PostAsJsonAsync("/api/score", new { userId = "sorter", itemIds = all });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            scored = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
            listed = await RecommendAsync(client, "sorter");
        }
        while (Watermark(scored) != Watermark(listed));
        var byId = Items(scored).ToDictionary(i => i.Id, i => i.Score);

        // The two paths round differently (libtorch's BLAS against managed FMA), so items whose scores
        // differ by less than the rounding may swap; anything further apart must be in sorted order.
        const double rounding = 1e-5;
        var got = Items(listed);
        Assert.Equal(10, got.Count);
        Assert.Equal(10, got.Select(i => i.Id).Distinct().Count());
        Assert.DoesNotContain(got, i => seen.Contains(i.Id));
        Assert.All(got, i => Assert.Equal(byId[i.Id], i.Score, rounding));
        Assert.All(got.Zip(got.Skip(1)), pair => Assert.True(pair.First.Score >= pair.Second.Score - rounding, $"{pair.First.Id} ({pair.First.Score}) is listed above {pair.Second.Id} ({pair.Second.Score})"));
        var cut = got[^1].Score;
        var left = byId.Where(kv => !seen.Contains(kv.Key) && got.All(i => i.Id != kv.Key));
        Assert.All(left, kv => Assert.True(kv.Value <= cut + rounding, $"{kv.Key} scores {kv.Value}, above the list's last item ({cut})"));
    }

    [Fact]
    public void The_result_cache_capacity_is_validated_naming_the_setting()
    {
        new FunctionAppOptions { Scoring = { ResultCacheCapacity = 0 } }.Validate();
        var negative = new FunctionAppOptions { Scoring = { ResultCacheCapacity = -1 } };
        Assert.Equal("MetaRec:Scoring:ResultCacheCapacity must be 0 (off) or more, not -1 (Parameter 'ResultCacheCapacity')",
            Assert.Throws<ArgumentException>(negative.Validate).Message);
    }

    /// <summary>The app against Azurite (<see cref="FunctionAppFactory.Azurite"/>) with the in-process trigger.</summary>
    private FunctionAppFactory Azurite(string container) => FunctionAppFactory.Azurite(azurite.ConnectionString, container, trigger: "channel");

    private Task RegisterInFolderAsync() =>
        TrainedModels.RegisterAsync(new StorageOptions { Backend = "folder", Folder = Folder }.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);

    private static bool Cached(JsonElement answer) => answer.GetProperty("cached").GetBoolean();

    /// <summary>The answer's items as (id, score) pairs, in order.</summary>
    private static List<(string Id, float Score)> Items(JsonElement answer) =>
        [.. answer.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("itemId").GetString()!, i.GetProperty("score").GetSingle()))];
}
