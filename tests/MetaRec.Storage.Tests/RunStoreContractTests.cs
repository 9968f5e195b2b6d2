using System.Text;
using Azure.Storage.Blobs;
using MetaRec.Storage.Runs;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every run store must do: create once, replace only from the current ETag.</summary>
public abstract class RunStoreContractTests
{
    protected abstract IRunStore Store { get; }

    private static byte[] Json(string state) => Encoding.UTF8.GetBytes($"{{\"state\":\"{state}\"}}");

    [Fact]
    public async Task A_run_is_created_once_and_replaced_only_from_its_current_etag()
    {
        Assert.Null(await Store.GetAsync("run-1"));
        var created = await Store.CreateAsync("run-1", Json("pending"));
        Assert.NotNull(created);
        Assert.Null(await Store.CreateAsync("run-1", Json("other"))); // ids are unique
        Assert.Equal(Json("pending"), (await Store.GetAsync("run-1"))!.Json);

        var read = (await Store.GetAsync("run-1"))!;
        Assert.Equal(created.ETag, read.ETag);
        var advanced = await Store.TryReplaceAsync("run-1", Json("launching"), read.ETag);
        Assert.NotNull(advanced);
        Assert.NotEqual(read.ETag, advanced.ETag);

        // A second worker that read the same version loses, and writes nothing.
        Assert.Null(await Store.TryReplaceAsync("run-1", Json("launching-twice"), read.ETag));
        Assert.Equal(Json("launching"), (await Store.GetAsync("run-1"))!.Json);
        Assert.Null(await Store.TryReplaceAsync("no-such-run", Json("x"), advanced.ETag));

        await Store.CreateAsync("run-2", Json("pending"));
        Assert.Equal(["run-1", "run-2"], (await Store.ListAsync()).Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync("../escape"));
    }

    [Fact]
    public async Task Concurrent_replaces_from_one_read_let_exactly_one_win()
    {
        var created = (await Store.CreateAsync("race", Json("pending")))!;
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.TryReplaceAsync("race", Json($"winner-{i}"), created.ETag)));
        var winners = results.Where(r => r is not null).ToList();
        Assert.Single(winners);
        Assert.Equal(winners[0]!.Json, (await Store.GetAsync("race"))!.Json);
    }
}

public sealed class FolderRunStoreTests : RunStoreContractTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("metarec-runs-").FullName;

    protected override IRunStore Store => new FolderRunStore(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

public sealed class BlobRunStoreTests(AzuriteFixture azurite) : RunStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly string _container = "runs-" + Guid.NewGuid().ToString("N")[..8];

    protected override IRunStore Store => new BlobRunStore(new BlobContainerClient(azurite.ConnectionString, _container));
}
