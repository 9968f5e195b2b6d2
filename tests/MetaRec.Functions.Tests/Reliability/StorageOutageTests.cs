using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using MetaRec.Testing;
using Xunit.Abstractions;
using static MetaRec.Functions.Tests.AppRequests;

namespace MetaRec.Functions.Tests.Reliability;

/// <summary>
/// Azurite stopped under event load, then started again over the same data: what the app
/// accepted before the outage is applied exactly once after it, what it was sent during the
/// outage is refused with 503 (so the caller retries) and nothing half-applied is served.
/// </summary>
[Collection(StorageOutageCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Stamp = 1_700_000_000;
    private const int Users = 4, EventsPerUser = 12;

    /// <summary>The queue trigger's visibility timeout here (60 s by default): what was in flight at the outage is delivered again after it.</summary>
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(5);
    private readonly AzuriteFixture _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task Events_accepted_before_storage_stops_are_applied_once_after_it_restarts_and_requests_during_it_get_503()
    {
        const string Container = "outage";
        await TrainedModels.RegisterAsync(FunctionAppFactory.Storage(_azurite.ConnectionString, Container).CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        await using var host = FunctionAppFactory.Azurite(_azurite.ConnectionString, Container, settings: new Dictionary<string, string> { ["MetaRec:Standalone:VisibilityTimeout"] = Visibility.ToString() });
        using var client = host.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        var items = TrainedModels.Dataset.ItemIds;
        var events = Enumerable.Range(0, Users * EventsPerUser)
            .Select(i => new { eventId = $"o-{i}", userId = $"outage-{i % Users}", itemId = items[i], rating = 5, timestamp = Stamp + i })
            .ToList();
        var half = events.Count / 2;

        // The first half is accepted; storage stops while the trigger is still applying it.
        foreach (var batch in events.Take(half).Chunk(4))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/events", batch)).StatusCode);
        }
        var stopping = Stopwatch.StartNew();
        await _azurite.StopForOutageAsync();
        output.WriteLine($"Azurite stopped in {stopping.Elapsed.TotalSeconds:F1} s");
        var down = Stopwatch.StartNew();

        // The SDK retries each storage call for about 25 s before the app gives up on it.
        var posting = client.PostAsJsonAsync("/api/events", events.Skip(half).ToArray());
        var reading = client.GetAsync("/api/users/outage-0/recommendations?k=10&excludeSeen=true");
        var health = await client.GetAsync("/api/health");
        var (refused, read) = (await posting, await reading);
        var refusedAfter = down.Elapsed;
        output.WriteLine($"during the outage: events {(int)refused.StatusCode}, recommendations {(int)read.StatusCode} within {refusedAfter.TotalSeconds:F1} s; health {(int)health.StatusCode}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        var restarting = Stopwatch.StartNew();
        await _azurite.RestartAsync();
        output.WriteLine($"Azurite restarted in {restarting.Elapsed.TotalSeconds:F1} s");
        var outage = down.Elapsed;
        var back = Stopwatch.StartNew();
        // The caller retries what was refused.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/events", events.Skip(half).ToArray())).StatusCode);

        var windows = FunctionAppFactory.Storage(_azurite.ConnectionString, Container).CreateWindowStore();
        for (var u = 0; u < Users; u++)
        {
            var user = $"outage-{u}";
            var window = await EndToEndTests.EventuallyAsync(async () => await windows.GetAsync(user) is { Events.Count: EventsPerUser } full ? full : null, TimeSpan.FromSeconds(90));
            var expected = events.Where(e => e.userId == user).Select(e => e.eventId).Order(StringComparer.Ordinal);
            Assert.Equal(expected, window.Events.Select(e => e.EventId).Order(StringComparer.Ordinal)); // all there, none twice
            // The state answering catches up with the whole window.
            await RecommendWhenAsync(client, user, a => Watermark(a) == window.Applied);
        }
        output.WriteLine($"{events.Count} events for {Users} users, {half} accepted before an outage of {outage.TotalSeconds:F1} s, {events.Count - half} refused during it and sent again: every one applied once, {back.Elapsed.TotalSeconds:F1} s after storage was back (visibility timeout {Visibility.TotalSeconds:F0} s)");
    }
}

/// <summary>
/// The outage frees Azurite's ports and binds them again: run alone, so that no other test's
/// Azurite takes a freed port meanwhile (it would answer for ours, and ours for it).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StorageOutageCollection
{
    public const string Name = "storage outage";
}
