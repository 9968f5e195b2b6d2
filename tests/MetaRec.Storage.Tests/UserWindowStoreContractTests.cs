using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Windows;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every user-window store must do, and the window's merge rules.</summary>
public abstract class UserWindowStoreContractTests
{
    protected abstract IUserWindowStore Store { get; }

    /// <summary>Stores a window the way earlier versions did, <c>windows/{user}.json</c>.</summary>
    protected abstract Task PutLegacyAsync(string userId, string json);

    /// <summary>The names of the stored windows, relative to the store's root, '/'-separated.</summary>
    protected abstract Task<IReadOnlyList<string>> StoredNamesAsync();

    private static string LegacyJson(string user, params string[] eventIds) =>
        $$"""{"userId":"{{user}}","events":[{{string.Join(',', eventIds.Select((id, i) => $$"""{"eventId":"{{id}}","itemId":"item-{{id}}","rating":4,"timestamp":{{i + 1}}}"""))}}],"applied":{{eventIds.Length}}}""";

    private static async Task<List<string>> ListAsync(IAsyncEnumerable<string> users)
    {
        var list = new List<string>();
        await foreach (var user in users)
        {
            list.Add(user);
        }
        return list;
    }

    private async Task PutAsync(string user, params string[] eventIds)
    {
        var window = UserWindow.Empty(user).Merge([.. eventIds.Select((id, i) => Event(id, i + 1, user))], capacity: 10).Window;
        Assert.NotNull(await Store.TryReplaceAsync(window));
    }

    private static InteractionEvent Event(string id, long time, string user = "u-1") => new(id, user, "item-" + id, 4f, time);

    [Fact]
    public async Task Deleting_a_window_removes_it_in_either_layout_and_is_idempotent()
    {
        await PutAsync("gone", "a", "b");
        await PutLegacyAsync("gone-legacy", LegacyJson("gone-legacy", "c"));
        await PutAsync("kept", "d");

        Assert.True(await Store.DeleteAsync("gone"));
        Assert.True(await Store.DeleteAsync("gone-legacy"));
        Assert.False(await Store.DeleteAsync("gone"));
        Assert.False(await Store.DeleteAsync("never-stored"));

        var gone = await Store.GetAsync("gone");
        Assert.Null(gone.ETag);
        Assert.Empty(gone.Events);
        Assert.Null((await Store.GetAsync("gone-legacy")).ETag);
        Assert.Equal(["kept"], await ListAsync(Store.ListUsersAsync()));
        Assert.DoesNotContain(await StoredNamesAsync(), name => name.Contains("gone", StringComparison.Ordinal));
        // A new window starts from nothing.
        Assert.NotNull(await Store.TryReplaceAsync(UserWindow.Empty("gone").Merge([Event("e", 5, "gone")], capacity: 10).Window));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync("../escape"));
    }

    [Fact]
    public async Task A_window_round_trips_and_a_stale_etag_loses()
    {
        var empty = await Store.GetAsync("u-1");
        Assert.Null(empty.ETag);
        Assert.Empty(empty.Events);

        var (merged, added) = empty.Merge([Event("a", 1), Event("b", 2)], capacity: 10);
        var stored = await Store.TryReplaceAsync(merged);
        Assert.NotNull(stored);
        Assert.Equal(2, added);
        Assert.Null(await Store.TryReplaceAsync(merged)); // "must not exist" no longer holds

        var read = await Store.GetAsync("u-1");
        Assert.Equal(stored.ETag, read.ETag);
        Assert.Equal(1, read.Applied);
        Assert.Equal(["a", "b"], read.Events.Select(e => e.EventId));
        Assert.Equal(("item-a", 4f, 1L), (read.Events[0].ItemId, read.Events[0].Rating, read.Events[0].Timestamp));

        var (next, _) = read.Merge([Event("c", 3)], capacity: 10);
        Assert.NotNull(await Store.TryReplaceAsync(next));
        Assert.Null(await Store.TryReplaceAsync(read.Merge([Event("d", 4)], capacity: 10).Window)); // written from a stale read
        Assert.Equal(["a", "b", "c"], (await Store.GetAsync("u-1")).Events.Select(e => e.EventId));

        await Store.TryReplaceAsync(UserWindow.Empty("u-9").Merge([Event("z", 1, "u-9")], capacity: 10).Window);
        var users = new List<string>();
        await foreach (var user in Store.ListUsersAsync())
        {
            users.Add(user);
        }
        Assert.Equal(["u-1", "u-9"], users.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Windows_lie_in_their_bucket_and_each_shard_lists_exactly_its_users()
    {
        var users = Enumerable.Range(0, 40).Select(i => $"u-{i}").ToArray();
        foreach (var user in users)
        {
            await PutAsync(user, "a");
        }

        Assert.Equal(
            users.Select(u => $"windows/{UserShards.BucketName(UserShards.BucketOf(u))}/{u}.json").Order(StringComparer.Ordinal),
            (await StoredNamesAsync()).Order(StringComparer.Ordinal));
        foreach (var shards in new[] { 1, 3, 4, 7 })
        {
            var listed = new List<string>();
            for (var shard = 0; shard < shards; shard++)
            {
                var own = await ListAsync(Store.ListUsersAsync(shard, shards));
                Assert.All(own, u => Assert.Equal(shard, UserShards.ShardOf(u, shards)));
                listed.AddRange(own);
            }
            Assert.Equal(users.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal)); // each user once
        }
        Assert.Equal(users.Order(StringComparer.Ordinal), (await ListAsync(Store.ListUsersAsync())).Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await ListAsync(Store.ListUsersAsync(4, 4)));
    }

    [Fact]
    public async Task A_window_in_the_flat_layout_is_read_listed_and_moved_by_its_next_write()
    {
        await PutLegacyAsync("u-old", LegacyJson("u-old", "a", "b"));

        var read = await Store.GetAsync("u-old");
        Assert.Equal(["a", "b"], read.Events.Select(e => e.EventId));
        Assert.Equal(2L, read.Applied);
        Assert.Equal(["u-old"], await ListAsync(Store.ListUsersAsync()));
        var shard = UserShards.ShardOf("u-old", 4);
        Assert.Equal(["u-old"], await ListAsync(Store.ListUsersAsync(shard, 4)));
        Assert.Empty(await ListAsync(Store.ListUsersAsync((shard + 1) % 4, 4)));

        var stored = await Store.TryReplaceAsync(read.Merge([Event("c", 3, "u-old")], capacity: 10).Window);
        Assert.NotNull(stored);
        Assert.Equal([$"windows/{UserShards.BucketName(UserShards.BucketOf("u-old"))}/u-old.json"], await StoredNamesAsync());
        Assert.Null(await Store.TryReplaceAsync(read.Merge([Event("d", 4, "u-old")], capacity: 10).Window)); // the stale flat read loses
        Assert.Null(await Store.TryReplaceAsync(UserWindow.Empty("u-old").Merge([Event("e", 5, "u-old")], capacity: 10).Window));
        var after = await Store.GetAsync("u-old");
        Assert.Equal(["a", "b", "c"], after.Events.Select(e => e.EventId));
        Assert.Equal((3L, stored.ETag), (after.Applied, after.ETag));
        Assert.Equal(["u-old"], await ListAsync(Store.ListUsersAsync(shard, 4)));
    }

    [Fact]
    public async Task Migration_moves_every_flat_window_once_and_keeps_a_newer_bucket_copy()
    {
        await PutLegacyAsync("u-1", LegacyJson("u-1", "a"));
        await PutLegacyAsync("u-2", LegacyJson("u-2", "a", "b"));
        await PutAsync("u-3", "new");
        await PutLegacyAsync("u-3", LegacyJson("u-3", "old")); // a move whose cleanup was interrupted
        Assert.Equal(["u-1", "u-2", "u-3"], (await ListAsync(Store.ListUsersAsync())).Order(StringComparer.Ordinal)); // u-3 once

        Assert.Equal(2, await Store.MigrateLegacyAsync());
        Assert.Equal(0, await Store.MigrateLegacyAsync());

        Assert.Equal(
            new[] { "u-1", "u-2", "u-3" }.Select(u => $"windows/{UserShards.BucketName(UserShards.BucketOf(u))}/{u}.json").Order(StringComparer.Ordinal),
            (await StoredNamesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b"], (await Store.GetAsync("u-2")).Events.Select(e => e.EventId));
        Assert.Equal(["new"], (await Store.GetAsync("u-3")).Events.Select(e => e.EventId));
        var window = await Store.GetAsync("u-1");
        Assert.NotNull(await Store.TryReplaceAsync(window.Merge([Event("b", 2, "u-1")], capacity: 10).Window));
    }

    [Fact]
    public void Merging_keeps_the_newest_and_counts_only_events_that_change_the_window()
    {
        var (window, added) = UserWindow.Empty("u-2").Merge([Event("a", 10, "u-2"), Event("b", 20, "u-2"), Event("c", 30, "u-2")], capacity: 2);
        Assert.Equal((2, 1L), (added, window.Applied));
        Assert.Equal(["b", "c"], window.Events.Select(e => e.EventId));

        var (again, none) = window.Merge([Event("b", 20, "u-2"), Event("a", 10, "u-2")], capacity: 2);
        Assert.Equal(0, none); // a redelivered event, and one older than the whole window
        Assert.Same(window, again);

        var (late, one) = window.Merge([Event("d", 25, "u-2")], capacity: 2);
        Assert.Equal((1, 2L), (one, late.Applied));
        Assert.Equal(["d", "c"], late.Events.Select(e => e.EventId));

        Assert.Throws<ArgumentException>(() => window.Merge([Event("x", 1, "someone-else")], capacity: 2));
    }
}

public sealed class FolderUserWindowStoreTests : UserWindowStoreContractTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("metarec-windows-").FullName;

    protected override IUserWindowStore Store => new FolderUserWindowStore(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_deleted_window_leaves_no_file_named_by_the_user_not_even_its_lock()
    {
        var window = UserWindow.Empty("private-7").Merge([new InteractionEvent("e1", "private-7", "i1", 4f, 1)], capacity: 10).Window;
        Assert.NotNull(await Store.TryReplaceAsync(window));

        Assert.True(await Store.DeleteAsync("private-7"));

        Assert.DoesNotContain(Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories), f => f.Contains("private-7", StringComparison.Ordinal));
    }

    protected override Task PutLegacyAsync(string userId, string json)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "windows"));
        return File.WriteAllTextAsync(Path.Combine(_folder, "windows", userId + ".json"), json);
    }

    protected override Task<IReadOnlyList<string>> StoredNamesAsync()
    {
        var root = Path.Combine(_folder, "windows");
        IReadOnlyList<string> names = Directory.Exists(root)
            ? [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
                .Select(f => "windows/" + Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))]
            : [];
        return Task.FromResult(names);
    }
}

public sealed class BlobUserWindowStoreTests(AzuriteFixture azurite) : UserWindowStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly string _container = "windows-" + Guid.NewGuid().ToString("N")[..8];

    private readonly ListRequests _lists = new();

    protected override IUserWindowStore Store => new BlobUserWindowStore(Container);

    private BlobContainerClient Container
    {
        get
        {
            var options = new BlobClientOptions();
            options.AddPolicy(_lists, HttpPipelinePosition.PerCall);
            return new BlobContainerClient(azurite.ConnectionString, _container, options);
        }
    }

    protected override async Task PutLegacyAsync(string userId, string json)
    {
        await Container.CreateIfNotExistsAsync();
        await Container.GetBlobClient($"windows/{userId}.json").UploadAsync(BinaryData.FromString(json), overwrite: true);
    }

    protected override async Task<IReadOnlyList<string>> StoredNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }

    [Fact]
    public async Task A_shard_lists_only_its_own_prefixes()
    {
        foreach (var user in Enumerable.Range(0, 20).Select(i => $"u-{i}"))
        {
            Assert.NotNull(await Store.TryReplaceAsync(UserWindow.Empty(user).Merge([new InteractionEvent("a", user, "i", 1f, 1)], capacity: 10).Window));
        }
        _lists.Prefixes.Clear();

        var users = new List<string>();
        await foreach (var user in Store.ListUsersAsync(1, 4))
        {
            users.Add(user);
        }

        Assert.NotEmpty(users);
        // One look at the top level for windows of the flat layout, then the shard's own buckets 40-7f.
        Assert.Equal(["windows/ (delimited)", "windows/4", "windows/5", "windows/6", "windows/7"], _lists.Prefixes);
    }

    /// <summary>Records the prefix of every blob listing the store sends.</summary>
    private sealed class ListRequests : HttpPipelineSynchronousPolicy
    {
        public List<string> Prefixes { get; } = [];

        public override void OnSendingRequest(HttpMessage message)
        {
            var query = System.Web.HttpUtility.ParseQueryString(message.Request.Uri.Query);
            if (query["comp"] == "list")
            {
                lock (Prefixes)
                {
                    Prefixes.Add(query["prefix"] + (query["delimiter"] is null ? string.Empty : " (delimited)"));
                }
            }
        }
    }
}
