using Azure.Storage.Blobs;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Windows;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every user-window store must do, and the window's merge rules.</summary>
public abstract class UserWindowStoreContractTests
{
    protected abstract IUserWindowStore Store { get; }

    private static InteractionEvent Event(string id, long time, string user = "u-1") => new(id, user, "item-" + id, 4f, time);

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
}

public sealed class BlobUserWindowStoreTests(AzuriteFixture azurite) : UserWindowStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly string _container = "windows-" + Guid.NewGuid().ToString("N")[..8];

    protected override IUserWindowStore Store => new BlobUserWindowStore(new BlobContainerClient(azurite.ConnectionString, _container));
}
