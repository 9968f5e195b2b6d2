using System.Text;
using Azure.Storage.Blobs;
using MetaRec.Storage.Documents;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every ETag document store must do; one subclass per backend runs it.</summary>
public abstract class EtagDocumentStoreContractTests
{
    protected abstract IEtagDocumentStore Store { get; }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_document_round_trips_and_each_write_gets_a_new_etag()
    {
        Assert.Null(await Store.ReadAsync("docs/a.json"));

        var first = await Store.TryWriteAsync("docs/a.json", Bytes("{\"n\":1}"), expectedETag: null);
        Assert.NotNull(first);
        var read = await Store.ReadAsync("docs/a.json");
        Assert.NotNull(read);
        Assert.Equal((first, "{\"n\":1}"), (read.ETag, Encoding.UTF8.GetString(read.Content)));

        var second = await Store.TryWriteAsync("docs/a.json", Bytes("{\"n\":2}"), first);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Equal(second, (await Store.ReadAsync("docs/a.json"))?.ETag);
        Assert.Null(await Store.ReadAsync("docs/b.json")); // names are separate documents
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_loses_and_changes_nothing()
    {
        var first = await Store.TryWriteAsync("deep/er/doc.json", Bytes("one"), null);
        var second = await Store.TryWriteAsync("deep/er/doc.json", Bytes("two"), first);
        Assert.NotNull(second);

        Assert.Null(await Store.TryWriteAsync("deep/er/doc.json", Bytes("three"), first));
        Assert.Null(await Store.TryWriteAsync("deep/er/doc.json", Bytes("three"), "\"made-up\""));
        Assert.Null(await Store.TryWriteAsync("never/written.json", Bytes("x"), second)); // an etag for a missing document

        var read = await Store.ReadAsync("deep/er/doc.json");
        Assert.Equal((second, "two"), (read?.ETag, Encoding.UTF8.GetString(read!.Content)));
        Assert.Null(await Store.ReadAsync("never/written.json"));
    }

    [Fact]
    public async Task Create_only_loses_once_the_document_exists()
    {
        var created = await Store.TryWriteAsync("once.json", Bytes("first"), null);
        Assert.NotNull(created);

        Assert.Null(await Store.TryWriteAsync("once.json", Bytes("second"), null));

        Assert.Equal("first", Encoding.UTF8.GetString((await Store.ReadAsync("once.json"))!.Content));
    }

    [Fact]
    public async Task Of_concurrent_writers_from_one_etag_exactly_one_wins()
    {
        // Creating: every writer expects no document.
        var creations = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.TryWriteAsync("race.json", Bytes($"c{i}"), null))));
        var created = Assert.Single(creations, etag => etag is not null);
        var stored = await Store.ReadAsync("race.json");
        Assert.Equal(created, stored?.ETag);

        // Replacing: every writer read the same version.
        var writes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.TryWriteAsync("race.json", Bytes($"r{i}"), created))));
        var winner = Assert.Single(writes.Select((etag, i) => (etag, i)), w => w.etag is not null);
        var after = await Store.ReadAsync("race.json");
        Assert.Equal((winner.etag, $"r{winner.i}"), (after?.ETag, Encoding.UTF8.GetString(after!.Content)));
    }

    [Fact]
    public async Task Deleting_honours_the_etag_and_is_idempotent()
    {
        var etag = await Store.TryWriteAsync("gone/doc.json", Bytes("x"), null);
        var newer = await Store.TryWriteAsync("gone/doc.json", Bytes("y"), etag);

        Assert.False(await Store.DeleteAsync("gone/doc.json", etag)); // stale
        Assert.NotNull(await Store.ReadAsync("gone/doc.json"));
        Assert.True(await Store.DeleteAsync("gone/doc.json", newer));
        Assert.Null(await Store.ReadAsync("gone/doc.json"));
        Assert.False(await Store.DeleteAsync("gone/doc.json"));
        Assert.False(await Store.DeleteAsync("never/there.json"));

        Assert.NotNull(await Store.TryWriteAsync("gone/doc.json", Bytes("z"), null)); // created again from nothing
        Assert.True(await Store.DeleteAsync("gone/doc.json"));
    }
}

public sealed class FolderDocumentStoreTests : EtagDocumentStoreContractTests, IDisposable
{
    private readonly TempFolder _folder = new("metarec-documents-");

    protected override IEtagDocumentStore Store => new FolderDocumentStore(_folder.Path);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_deleted_document_leaves_no_file_of_its_name_and_names_stay_inside_the_folder()
    {
        Assert.NotNull(await Store.TryWriteAsync("windows/3f/private-7.json", Bytes("x"), null));

        Assert.True(await Store.DeleteAsync("windows/3f/private-7.json"));

        Assert.DoesNotContain(Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories), f => f.Contains("private-7", StringComparison.Ordinal));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.TryWriteAsync("../escape.json", Bytes("x"), null));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ReadAsync("a/../../escape.json"));
    }
}

public sealed class BlobDocumentStoreTests(AzuriteFixture azurite) : EtagDocumentStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly string _container = "documents-" + Guid.NewGuid().ToString("N")[..8];

    protected override IEtagDocumentStore Store => new BlobDocumentStore(Container);

    private BlobContainerClient Container => new(azurite.ConnectionString, _container);

    [Fact]
    public async Task The_container_is_created_by_the_first_write_and_a_missing_one_reads_as_empty()
    {
        var store = Store;
        Assert.Null(await store.ReadAsync("a.json"));
        Assert.False(await store.DeleteAsync("a.json"));
        Assert.False(await Container.ExistsAsync());

        Assert.NotNull(await store.TryWriteAsync("a.json", Bytes("x"), null));

        Assert.True(await Container.ExistsAsync());
        Assert.Equal("application/json", (await Container.GetBlobClient("a.json").GetPropertiesAsync()).Value.ContentType);
    }
}
