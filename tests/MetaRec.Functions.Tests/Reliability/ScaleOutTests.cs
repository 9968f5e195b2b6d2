using System.Diagnostics;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Serving;
using MetaRec.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static MetaRec.Functions.Tests.AppRequests;

namespace MetaRec.Functions.Tests.Reliability;

/// <summary>
/// Two standalone hosts over one Azurite, as two Functions instances would run: events applied by
/// host A reach host B's answers within B's state-cache age, a promotion reaches both within the
/// model poll interval; and the per-instance tables stay bounded over a million distinct users.
/// </summary>
public sealed class ScaleOutTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const long Stamp = 1_700_000_000;
    private static readonly TimeSpan CacheMaxAge = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>What a request may take beyond the bound on this loaded 2-core machine (scoring, storage round trips).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Events_applied_by_one_host_reach_the_other_within_the_cache_age_and_a_promotion_reaches_both_within_the_poll_interval()
    {
        const string Container = "scaleout";
        var registry = FunctionAppFactory.Storage(azurite.ConnectionString, Container).CreateRegistry();
        await TrainedModels.RegisterAsync(registry, "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        var age = new Dictionary<string, string> { ["MetaRec:Scoring:CacheMaxAge"] = CacheMaxAge.ToString() };
        await using var hostA = FunctionAppFactory.Azurite(azurite.ConnectionString, Container, settings: age);
        // B drains a queue of its own that nobody sends to, so every event is applied by A and B
        // learns of it only through the shared stores.
        await using var hostB = FunctionAppFactory.Azurite(azurite.ConnectionString, Container, settings: new Dictionary<string, string>(age) { ["MetaRec:Standalone:QueueName"] = Container + "-b-in" });
        using var a = hostA.Authorized();
        using var b = hostB.Authorized();
        await EndToEndTests.WaitReadyAsync(a);
        await EndToEndTests.WaitReadyAsync(b);
        var items = TrainedModels.Dataset.ItemIds;

        await PostEventAsync(a, "s-1", "roamer", items[10], Stamp);
        await RecommendWhenAsync(a, "roamer", answer => Watermark(answer) == 1);
        Assert.Equal(1, Watermark(await RecommendAsync(b, "roamer"))); // B now holds the state in memory

        var top = EndToEndTests.TopItems(await RecommendAsync(b, "roamer")).First();
        await PostEventAsync(a, "s-2", "roamer", top, Stamp + 1);
        await RecommendWhenAsync(a, "roamer", answer => Watermark(answer) == 2);
        var applied = Stopwatch.StartNew();
        var seen = await RecommendWhenAsync(b, "roamer", answer => Watermark(answer) == 2);
        var eventLag = applied.Elapsed;
        Assert.DoesNotContain(top, EndToEndTests.TopItems(seen));
        Assert.InRange(eventLag, TimeSpan.Zero, CacheMaxAge + Slack);

        await TrainedModels.RegisterAsync(registry, "v2", TrainedModels.Train(seed: 2, steps: 3), promote: true);
        var promoted = Stopwatch.StartNew();
        var lags = new List<TimeSpan>();
        foreach (var host in new[] { a, b })
        {
            await RecommendWhenAsync(host, "roamer", answer => answer.GetProperty("modelVersion").GetString() == "v2");
            lags.Add(promoted.Elapsed);
        }
        Assert.All(lags, lag => Assert.InRange(lag, TimeSpan.Zero, PollInterval + Slack));
        output.WriteLine($"state applied by A seen by B after {eventLag.TotalMilliseconds:F0} ms (cache age {CacheMaxAge.TotalMilliseconds:F0} ms); promotion served by A after {lags[0].TotalMilliseconds:F0} ms, by B after {lags[1].TotalMilliseconds:F0} ms (poll {PollInterval.TotalMilliseconds:F0} ms)");
    }

    [Fact]
    public async Task The_debounce_table_stays_bounded_over_a_million_distinct_users()
    {
        const int Users = 1_000_000;
        var interval = TimeSpan.FromSeconds(1);
        var time = new FakeTimeProvider();
        var options = Options.Create(new FunctionAppOptions { Interactions = { RefreshInterval = interval } });
        using var scheduler = new RefreshScheduler(options, time, NullLogger<RefreshScheduler>.Instance);
        var refreshed = 0;
        var largest = 0;
        Task<bool> Refresh(string user, CancellationToken cancellation)
        {
            refreshed++;
            return Task.FromResult(true);
        }

        // One new user a millisecond: about 1,000 users fall inside any one interval.
        for (var u = 0; u < Users; u++)
        {
            Assert.Equal(RefreshOutcome.Refreshed, await scheduler.RequestAsync($"user-{u}", Refresh, CancellationToken.None));
            largest = Math.Max(largest, scheduler.Tracked);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        // A user refreshed within the interval is still deferred after the sweeps.
        Assert.Equal(RefreshOutcome.Deferred, await scheduler.RequestAsync($"user-{Users - 1}", Refresh, CancellationToken.None));

        output.WriteLine($"{Users:N0} users, one a millisecond, interval {interval.TotalSeconds} s: at most {largest:N0} tracked");
        Assert.Equal(Users, refreshed);
        Assert.InRange(largest, 1_000, 2_048);
    }

    [Fact]
    public void The_result_cache_stays_within_its_capacity()
    {
        var time = new FakeTimeProvider();
        var options = Options.Create(new FunctionAppOptions { Scoring = { ResultCacheCapacity = 100, CacheMaxAge = TimeSpan.FromSeconds(5) } });
        using var cache = new RecommendationCache(options, time);
        var ranking = new RankingPrefix([1, 2, 3], [0.3f, 0.2f, 0.1f], Complete: true);
        var largest = 0;
        for (var u = 0; u < 10_000; u++)
        {
            cache.Add(new RecommendationKey($"user-{u}", "v1", 1, ExcludeSeen: true, WindowVersion: 1), ranking);
            largest = Math.Max(largest, cache.Count);
        }
        Assert.InRange(largest, 1, 100);
    }

    [Fact]
    public void The_result_cache_drops_lists_unused_for_the_cache_age_and_forgets_a_user()
    {
        var time = new FakeTimeProvider();
        var options = Options.Create(new FunctionAppOptions { Scoring = { CacheMaxAge = TimeSpan.FromSeconds(5) } });
        using var cache = new RecommendationCache(options, time);
        var ranking = new RankingPrefix([1, 2, 3], [0.3f, 0.2f, 0.1f], Complete: true);
        var kept = new RecommendationKey("kept", "v1", 1, ExcludeSeen: true, WindowVersion: 1);
        var idle = kept with { UserId = "idle" };
        cache.Add(kept, ranking);
        cache.Add(idle, ranking);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(cache.TryGet(kept, 3, out _)); // used: its age restarts
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(cache.TryGet(kept, 3, out _));
        Assert.False(cache.TryGet(idle, 3, out _));
        Assert.Equal(1, cache.Forget("kept"));
        Assert.False(cache.TryGet(kept, 3, out _));
    }
}
