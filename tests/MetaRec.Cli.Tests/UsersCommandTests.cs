using MetaRec.Storage;
using MetaRec.Storage.Embeddings;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Windows;

namespace MetaRec.Cli.Tests;

/// <summary><c>metarec users delete</c> against the folder backend, as an operator runs it.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-users-");

    public void Dispose() => _temp.Delete(recursive: true);

    private string Store => Path.Combine(_temp.FullName, "store");

    [Fact]
    public async Task Delete_removes_the_users_state_and_window_tombstones_their_events_and_is_idempotent()
    {
        var storage = new StorageOptions { Backend = "folder", Folder = Store };
        var states = storage.CreateEmbeddingStore();
        await states.TryWriteAsync(new UserEmbedding("leaver-1", "limaml", "v1", [0.5f, 0.25f], 1, DateTimeOffset.UnixEpoch));
        await states.TryWriteAsync(new UserEmbedding("leaver-1", "mpp", "v1", [0.5f], 1, DateTimeOffset.UnixEpoch));
        await states.TryWriteAsync(new UserEmbedding("stayer", "limaml", "v1", [1f, 2f], 1, DateTimeOffset.UnixEpoch));
        var windows = storage.CreateWindowStore();
        var log = storage.CreateInteractionLog();
        var events = new[] { new InteractionEvent("e1", "leaver-1", "i1", 4f, 1_700_000_000) };
        await log.AppendAsync(events);
        await windows.TryReplaceAsync(UserWindow.Empty("leaver-1").Merge(events, capacity: 10).Window);

        var deleted = await Metarec.RunAsync("users", "delete", "leaver-1", "--storage-folder", Store);
        var again = await Metarec.RunAsync("users", "delete", "leaver-1", "--storage-folder", Store);

        Assert.True(deleted.ExitCode == 0, deleted.Output + deleted.Error);
        Assert.Contains($"user data deleted: user hash {UserTombstone.HashOf("leaver-1")[..12]}, state=2 deleted, window=deleted", deleted.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("leaver-1", deleted.Output, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("state=0 deleted, window=none", again.Output, StringComparison.Ordinal);
        Assert.Null(await states.GetAsync("limaml", "leaver-1"));
        Assert.Null(await states.GetAsync("mpp", "leaver-1"));
        Assert.Null((await windows.GetAsync("leaver-1")).ETag);
        Assert.NotNull(await states.GetAsync("limaml", "stayer"));
        Assert.NotNull((await log.ReadTombstonesAsync()).DeletedAt("leaver-1"));
    }

    [Theory]
    [InlineData("../escape", "userId '../escape' is not valid")]
    [InlineData("bad id", "userId 'bad id' is not valid")]
    public async Task A_bad_user_id_exits_2_naming_the_field(string user, string message)
    {
        var result = await Metarec.RunAsync("users", "delete", user, "--storage-folder", Store);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store)); // nothing written, not even a tombstone
    }

    [Fact]
    public async Task Bad_storage_options_exit_2_naming_the_setting()
    {
        var result = await Metarec.RunAsync("users", "delete", "someone", "--storage-folder", " ");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Storage:Folder", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_url_selects_the_identity_based_azure_backend_which_needs_the_table_url_too()
    {
        var result = await Metarec.RunAsync("users", "delete", "someone", "--storage-blob-url", "https://metarecprod.blob.core.windows.net");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("both Storage:BlobServiceUrl and Storage:TableServiceUrl", result.Error, StringComparison.Ordinal);
    }
}
