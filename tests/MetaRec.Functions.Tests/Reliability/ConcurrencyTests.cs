using System.Net;
using System.Net.Http.Json;
using MetaRec.Storage.Registry;
using MetaRec.Testing;
using Xunit.Abstractions;
using static MetaRec.Functions.Tests.AppRequests;

namespace MetaRec.Functions.Tests.Reliability;

/// <summary>
/// Races between instances over one Azurite: two hosts applying events of the same users at
/// once, and two promoters racing for the same active pointer. Exactly one write wins each race,
/// nothing is lost, and the stored watermarks only move forward.
/// </summary>
public sealed class ConcurrencyTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>
{
    private const long Stamp = 1_700_000_000;

    [Fact]
    public async Task Two_hosts_applying_one_users_events_at_once_lose_nothing_and_the_watermark_only_moves_forward()
    {
        const string Container = "racing";
        const int Users = 2, EventsPerHost = 30;
        var storage = FunctionAppFactory.Storage(azurite.ConnectionString, Container);
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 3), promote: true);
        // Each host drains its own queue: the same users' events are applied by both at once.
        await using var hostA = FunctionAppFactory.Azurite(azurite.ConnectionString, Container);
        await using var hostB = FunctionAppFactory.Azurite(azurite.ConnectionString, Container, settings: new Dictionary<string, string> { ["MetaRec:Standalone:QueueName"] = Container + "-b-in" });
        using var a = hostA.Authorized();
        using var b = hostB.Authorized();
        await EndToEndTests.WaitReadyAsync(a);
        await EndToEndTests.WaitReadyAsync(b);
        var items = TrainedModels.Dataset.ItemIds;
        object Event(string host, int i) => new { eventId = $"{host}-{i}", userId = $"racer-{i % Users}", itemId = items[i], rating = 5, timestamp = Stamp + i };

        var states = storage.CreateEmbeddingStore();
        using var sampling = new CancellationTokenSource();
        var seen = Enumerable.Range(0, Users).Select(_ => new List<long>()).ToArray();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                for (var u = 0; u < Users; u++)
                {
                    if (await states.GetAsync("limaml", $"racer-{u}") is { } state)
                    {
                        seen[u].Add(state.Watermark);
                    }
                }
            }
        });
        // One event a request on each host, both at once.
        await Task.WhenAll(
            Task.Run(async () => { for (var i = 0; i < EventsPerHost; i++) Assert.Equal(HttpStatusCode.Accepted, (await a.PostAsJsonAsync("/api/events", Event("a", i))).StatusCode); }),
            Task.Run(async () => { for (var i = 0; i < EventsPerHost; i++) Assert.Equal(HttpStatusCode.Accepted, (await b.PostAsJsonAsync("/api/events", Event("b", i))).StatusCode); }));

        var windows = storage.CreateWindowStore();
        for (var u = 0; u < Users; u++)
        {
            var user = $"racer-{u}";
            var expected = Enumerable.Range(0, EventsPerHost).Where(i => i % Users == u).SelectMany(i => new[] { $"a-{i}", $"b-{i}" }).Order(StringComparer.Ordinal).ToList();
            var window = await EndToEndTests.EventuallyAsync(async () => await windows.GetAsync(user) is { } w && w.Events.Count == expected.Count ? w : null, TimeSpan.FromSeconds(60));
            Assert.Equal(expected, window.Events.Select(e => e.EventId).Order(StringComparer.Ordinal));
            await RecommendWhenAsync(a, user, answer => Watermark(answer) == window.Applied);
        }
        await sampling.CancelAsync();
        await sampler;

        for (var u = 0; u < Users; u++)
        {
            Assert.NotEmpty(seen[u]);
            Assert.Equal(seen[u].Order(), seen[u]); // never backwards
        }
        output.WriteLine($"{2 * EventsPerHost} events for {Users} users through two hosts at once: every one in its window once; {seen.Sum(s => s.Count)} samples of the stored watermarks, none going back");
    }

    [Fact]
    public async Task Of_two_promoters_racing_for_the_pointer_exactly_one_wins_each_round()
    {
        const int Rounds = 10;
        var weights = TrainedModels.Train(seed: 1, steps: 3);
        var first = FunctionAppFactory.Storage(azurite.ConnectionString, "promoting").CreateRegistry();
        var second = FunctionAppFactory.Storage(azurite.ConnectionString, "promoting").CreateRegistry();
        await TrainedModels.RegisterAsync(first, "v0", weights, promote: true);
        var history = new List<string> { "v0" };
        for (var round = 1; round <= Rounds; round++)
        {
            await TrainedModels.RegisterAsync(first, $"a{round}", weights, promote: false);
            await TrainedModels.RegisterAsync(second, $"b{round}", weights, promote: false);
            var expected = (await first.GetActiveAsync("limaml"))!.ETag;
            var results = await Task.WhenAll(
                Task.Run(() => TryPromoteAsync(first, $"a{round}", expected)),
                Task.Run(() => TryPromoteAsync(second, $"b{round}", expected)));

            var winner = Assert.Single(results, r => r is not null);
            var active = (await second.GetActiveAsync("limaml"))!;
            Assert.Equal(winner, active.Version);
            Assert.Equal(history.AsEnumerable().Reverse(), active.Previous); // the loser left no trace in the history
            history.Add(winner!);
        }
        output.WriteLine($"{Rounds} rounds of two promoters on one expected ETag: one winner each ({string.Join(", ", history.Skip(1))})");
    }

    private static async Task<string?> TryPromoteAsync(IModelRegistry registry, string version, string expectedETag)
    {
        try
        {
            return (await registry.PromoteAsync("limaml", version, expectedETag)).Version;
        }
        catch (RegistryConflictException)
        {
            return null;
        }
    }
}
