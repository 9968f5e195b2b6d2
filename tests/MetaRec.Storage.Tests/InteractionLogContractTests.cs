using Azure.Core;
using Azure.Storage.Blobs;
using MetaRec.Storage.Interactions;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every interaction log backend must do; one subclass per backend runs it.</summary>
public abstract class InteractionLogContractTests
{
    // 2026-11-20 00:00:00 UTC and the next day.
    private const long DayOne = 1_795_132_800;
    private const long DayTwo = DayOne + 86_400;

    protected abstract IInteractionLog Log { get; }

    private static InteractionEvent Event(string id, long time, string user = "u1", float rating = 4) => new(id, user, $"item-{id}", rating, time);

    [Fact]
    public async Task A_tombstone_records_the_users_hash_and_time_and_stays_out_of_the_day_partitions()
    {
        await Log.AppendAsync([Event("e1", DayOne + 5, user: "gone"), Event("e2", DayOne + 6, user: "kept")]);
        var before = await Log.SnapshotAsync();
        Assert.Equal(0, (await Log.ReadTombstonesAsync()).Count);

        var first = await Log.TombstoneAsync("gone");
        var second = await Log.TombstoneAsync("gone");

        Assert.Equal(UserTombstone.HashOf("gone"), first.UserHash);
        Assert.Equal(64, first.UserHash.Length);
        Assert.DoesNotContain("gone", first.UserHash, StringComparison.Ordinal);
        var tombstones = await Log.ReadTombstonesAsync();
        Assert.Equal(1, tombstones.Count); // the latest per user
        Assert.Equal(second.DeletedUtc.ToUnixTimeSeconds(), tombstones.DeletedAt("gone"));
        Assert.Null(tombstones.DeletedAt("kept"));
        // The log itself is append-only: the events are still there, and the day partitions unchanged.
        var after = await Log.SnapshotAsync();
        Assert.Equal(before.Fingerprint, after.Fingerprint);
        Assert.Equal(2, (await ToList(Log.ReadAsync(after))).Count);
        await Assert.ThrowsAsync<ArgumentException>(() => Log.TombstoneAsync("bad/id"));
    }

    [Fact]
    public async Task Events_land_in_their_day_and_a_snapshot_counts_them()
    {
        await Log.AppendAsync([Event("e1", DayOne + 5), Event("e2", DayTwo + 7), Event("e3", DayOne + 9)]);

        var snapshot = await Log.SnapshotAsync();

        Assert.Equal([new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21)], snapshot.Parts.Select(p => p.Day));
        Assert.Equal(3, snapshot.Events);
        Assert.Equal(64, snapshot.Fingerprint.Length);
        var read = await ToList(Log.ReadAsync(snapshot));
        Assert.Equal(["e1", "e3", "e2"], read.Select(e => e.EventId));
        Assert.Equal("item-e2", read[2].ItemId);
    }

    [Fact]
    public async Task Redelivered_events_never_reach_training_data_twice()
    {
        await Log.AppendAsync([Event("e1", DayOne), Event("e1", DayOne)]);
        await Log.AppendAsync([Event("e1", DayOne), Event("e2", DayOne)]);

        var snapshot = await Log.SnapshotAsync();

        Assert.Equal(2, snapshot.Events);
        Assert.Equal(1, snapshot.Duplicates);
        Assert.Equal(["e1", "e2"], (await ToList(Log.ReadAsync(snapshot))).Select(e => e.EventId));
    }

    [Fact]
    public async Task A_snapshot_is_stable_while_new_events_arrive()
    {
        await Log.AppendAsync([Event("e1", DayOne), Event("e2", DayOne)]);
        var snapshot = await Log.SnapshotAsync();

        await Log.AppendAsync([Event("e3", DayOne), Event("e4", DayTwo)]);

        Assert.Equal(["e1", "e2"], (await ToList(Log.ReadAsync(snapshot))).Select(e => e.EventId));
        var later = await Log.SnapshotAsync();
        Assert.Equal(4, later.Events);
        Assert.NotEqual(snapshot.Fingerprint, later.Fingerprint);
        Assert.True(later.Parts[0].Bytes > snapshot.Parts[0].Bytes);
    }

    [Fact]
    public async Task Concurrent_writers_lose_nothing()
    {
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
            Log.AppendAsync([.. Enumerable.Range(0, 25).Select(i => Event($"w{w}-{i}", DayOne + i, $"user{w}"))])));
        await Task.WhenAll(writers);

        var snapshot = await Log.SnapshotAsync();

        Assert.Equal(200, snapshot.Events);
        Assert.Equal(200, (await ToList(Log.ReadAsync(snapshot))).Count);
    }

    [Fact]
    public async Task A_bad_event_is_refused_and_nothing_of_its_batch_is_written()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync([Event("ok", DayOne), Event("bad", DayOne, user: "../x")]));

        Assert.Equal("userId", error.ParamName);
        Assert.Equal(0, (await Log.SnapshotAsync()).Events);
    }

    private static async Task<List<T>> ToList<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }
        return list;
    }
}

public sealed class FolderInteractionLogTests : InteractionLogContractTests, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-log-");

    public FolderInteractionLogTests() => Log = new FolderInteractionLog(_root.FullName);

    protected override IInteractionLog Log { get; }

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task A_half_written_last_line_is_left_out_of_snapshots()
    {
        await Log.AppendAsync([Event2("e1")]);
        var path = Directory.GetFiles(Path.Combine(_root.FullName, "interactions"), "*.jsonl").Single();
        await File.AppendAllTextAsync(path, "{\"eventId\":\"torn\",\"userId\":\"u"); // a writer died here

        var snapshot = await Log.SnapshotAsync();

        Assert.Equal(1, snapshot.Events);
    }

    private static InteractionEvent Event2(string id) => new(id, "u1", "i1", 5, 1_795_132_800);
}

public sealed class BlobInteractionLogTests : InteractionLogContractTests, IClassFixture<AzuriteFixture>
{
    private readonly RequestLog _requests = new();

    public BlobInteractionLogTests(AzuriteFixture azurite)
    {
        var options = new BlobClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        Log = new BlobInteractionLog(new BlobContainerClient(azurite.ConnectionString, $"log-{Guid.NewGuid():N}", options));
    }

    protected override IInteractionLog Log { get; }

    [Fact]
    public async Task Only_the_first_append_creates_and_later_appends_are_one_request()
    {
        await Log.AppendAsync([new InteractionEvent("e1", "u1", "i1", 4, 1_795_132_800)]); // no container, no blob yet
        _requests.Clear();

        await Log.AppendAsync([new InteractionEvent("e2", "u1", "i2", 4, 1_795_132_801)]);

        Assert.EndsWith("?appendblock", Assert.Single(_requests.Requests), StringComparison.Ordinal);
    }
}
