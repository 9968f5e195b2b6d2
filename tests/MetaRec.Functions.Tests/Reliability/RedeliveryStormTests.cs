using System.Globalization;
using System.Text.Json;
using MetaRec.Functions.Functions;
using MetaRec.Storage;
using MetaRec.Storage.Windows;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MetaRec.Functions.Tests.Reliability;

/// <summary>
/// A redelivery storm through the Interactions function: the same events once each in time
/// order on one app, and with 20% duplicates in a random order (so shuffled within every user)
/// on another. Every user's window and state must come out identical, and no event is applied
/// twice. 2,000 events here; <c>bench/redelivery-storm.sh</c> runs the same test with 100,000
/// (METAREC_STORM_EVENTS) and prints its figures.
/// </summary>
public sealed class RedeliveryStormTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new("metarec-storm-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Duplicated_and_shuffled_delivery_ends_in_the_same_windows_and_states_as_one_in_order_delivery()
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("METAREC_STORM_EVENTS"), CultureInfo.InvariantCulture, out var n) ? n : 2_000;
        var random = new Random(7);
        var items = TrainedModels.Dataset.ItemIds;
        var users = Math.Max(10, total / 50);
        // Per user a run of events a second apart; some users pass the window's 100.
        var events = Enumerable.Range(0, total).Select(i =>
        {
            var user = random.Next(users);
            return (Id: $"e{i}", User: $"storm-{user}", Item: items[random.Next(items.Count)], Rating: random.Next(1, 6), Time: 1_700_000_000L + i);
        }).ToList();
        var duplicates = events.Where(_ => random.NextDouble() < 0.2).ToList();
        var stormed = events.Concat(duplicates).ToArray();
        random.Shuffle(stormed);

        var inOrder = await DeliverAsync("in-order", events);
        var storm = await DeliverAsync("storm", stormed);

        output.WriteLine($"{events.Count} events for {users} users; storm: {stormed.Length} deliveries ({duplicates.Count} duplicates), shuffled; duplicates the processor saw: {storm.Duplicates}");
        Assert.Equal(events.Count, inOrder.Applied);
        Assert.Equal(0, inOrder.Duplicates);
        Assert.Equal(duplicates.Count, storm.Duplicates);
        var differing = 0;
        foreach (var user in events.Select(e => e.User).Distinct())
        {
            var a = await inOrder.Windows.GetAsync(user);
            var b = await storm.Windows.GetAsync(user);
            Assert.Equal(a.Events, b.Events);
            Assert.Equal(a.Events.Count, a.Events.Select(e => e.EventId).Distinct().Count());
            var sa = await inOrder.States.GetAsync("limaml", user);
            var sb = await storm.States.GetAsync("limaml", user);
            Assert.NotNull(sa);
            Assert.NotNull(sb);
            differing += sa.Values.SequenceEqual(sb.Values) ? 0 : 1;
        }
        Assert.Equal(0, differing);
    }

    private async Task<(IUserWindowStore Windows, MetaRec.Storage.Embeddings.IEmbeddingStore States, int Applied, int Duplicates)> DeliverAsync(
        string name, IReadOnlyList<(string Id, string User, string Item, int Rating, long Time)> deliveries)
    {
        var folder = Path.Combine(_temp.Path, name);
        var storage = new StorageOptions { Backend = "folder", Folder = folder };
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 2), promote: true);
        await using var app = FunctionAppFactory.Folder(folder, new Dictionary<string, string> { ["MetaRec:Interactions:RefreshInterval"] = "00:00:00" });
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        var function = app.Services.GetRequiredService<InteractionsFunction>();
        int applied = 0, duplicates = 0;
        foreach (var batch in deliveries.Chunk(32))
        {
            var messages = batch.Select(e => new IncomingMessage(
                JsonSerializer.Serialize(new { eventId = e.Id, userId = e.User, itemId = e.Item, rating = e.Rating, timestamp = e.Time }), e.Id, 1)).ToList();
            var outcome = await function.InvokeAsync(messages, CancellationToken.None);
            Assert.True(outcome.Succeeded, outcome.Failure);
            Assert.Empty(outcome.DeadLetters);
            applied += outcome.Result!.Events - outcome.Result.Duplicates;
            duplicates += outcome.Result.Duplicates;
        }
        return (storage.CreateWindowStore(), storage.CreateEmbeddingStore(), applied, duplicates);
    }
}
