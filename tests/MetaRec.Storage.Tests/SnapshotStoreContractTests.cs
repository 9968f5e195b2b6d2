using System.Text;
using Azure.Storage.Blobs;
using MetaRec.Storage.Snapshots;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every snapshot store must do: copy a dataset in, manifest last, and give back the same bytes.</summary>
public abstract class SnapshotStoreContractTests : IDisposable
{
    private readonly DirectoryInfo _local = Directory.CreateTempSubdirectory("metarec-snapshot-data-");

    protected abstract ISnapshotStore Store { get; }

    /// <summary>Writes a data file that is not a manifest: proves the store copies files, not only its own documents.</summary>
    protected abstract Task PutDataFileOnlyAsync(string runId, string name, byte[] content);

    public virtual void Dispose() => _local.Delete(recursive: true);

    private string Dataset(params (string Name, string Text)[] files)
    {
        var folder = _local.CreateSubdirectory("data-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(folder.FullName, name), text);
        }
        return folder.FullName;
    }

    private static byte[] Manifest(string fingerprint) => Encoding.UTF8.GetBytes($"{{\"fingerprint\":\"{fingerprint}\"}}");

    [Fact]
    public async Task A_folder_dataset_comes_back_file_for_file_with_its_manifest()
    {
        var data = Dataset(("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n"), ("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Animation\n"));
        Assert.Null(await Store.GetManifestAsync("run-a"));

        await Store.PutAsync("run-a", data, Manifest("abc"));
        var target = Path.Combine(_local.FullName, "copy");
        var copy = await Store.DownloadAsync("run-a", target);

        Assert.Equal(Manifest("abc"), await Store.GetManifestAsync("run-a"));
        Assert.Equal(Manifest("abc"), copy.Manifest);
        Assert.Equal(Path.GetFullPath(target), copy.DataPath);
        Assert.Equal(["movies.csv", "ratings.csv"], Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in new[] { "movies.csv", "ratings.csv" })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(data, name)), await File.ReadAllBytesAsync(Path.Combine(target, name)));
        }
    }

    [Fact]
    public async Task A_one_file_dataset_comes_back_as_that_file_and_a_second_put_replaces_the_first()
    {
        var data = Path.Combine(Dataset(("events.csv", "user,item,rating,timestamp\nu1,i1,5,1\n")), "events.csv");

        await Store.PutAsync("run-b", data, Manifest("one"));
        await File.WriteAllTextAsync(data, "user,item,rating,timestamp\nu1,i1,5,1\nu2,i2,3,2\n");
        await Store.PutAsync("run-b", data, Manifest("two")); // a retried snapshot step
        var copy = await Store.DownloadAsync("run-b", Path.Combine(_local.FullName, "copy-b"));

        Assert.Equal(Path.Combine(_local.FullName, "copy-b", "events.csv"), copy.DataPath);
        Assert.Equal(await File.ReadAllBytesAsync(data), await File.ReadAllBytesAsync(copy.DataPath));
        Assert.Equal(Manifest("two"), copy.Manifest);
    }

    [Fact]
    public async Task A_snapshot_without_its_manifest_is_absent_and_bad_input_is_named()
    {
        // Data written, then the writer died before the manifest: nobody may train on it.
        await PutDataFileOnlyAsync("run-c", "ratings.csv", Encoding.UTF8.GetBytes("half"));

        Assert.Null(await Store.GetManifestAsync("run-c"));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => Store.DownloadAsync("run-c", Path.Combine(_local.FullName, "never")));
        Assert.Contains("run run-c has no data snapshot", missing.Message, StringComparison.Ordinal);
        var noData = await Assert.ThrowsAsync<FileNotFoundException>(() => Store.PutAsync("run-d", Path.Combine(_local.FullName, "nope"), Manifest("x")));
        Assert.Contains("no data at", noData.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetManifestAsync("run-d"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetManifestAsync("../escape"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync("Run_Bad", Dataset(("a.csv", "x")), Manifest("x")));
    }
}

public sealed class FolderSnapshotStoreTests : SnapshotStoreContractTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("metarec-snapshots-").FullName;

    protected override ISnapshotStore Store => new FolderSnapshotStore(_folder);

    protected override async Task PutDataFileOnlyAsync(string runId, string name, byte[] content)
    {
        var path = Path.Combine(_folder, "snapshots", runId, "data", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content);
    }

    [Fact]
    public async Task Nothing_partial_is_left_behind()
    {
        var data = Directory.CreateTempSubdirectory("metarec-snapshot-src-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(data.FullName, "u.data"), "1\t1\t5\t1\n");
            await Store.PutAsync("run-e", data.FullName, [1, 2, 3]);
            Assert.Empty(Directory.GetFiles(_folder, "*.partial", SearchOption.AllDirectories));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class BlobSnapshotStoreTests(AzuriteFixture azurite) : SnapshotStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly string _container = "snapshots-" + Guid.NewGuid().ToString("N")[..8];

    private BlobContainerClient Container => new(azurite.ConnectionString, _container);

    protected override ISnapshotStore Store => new BlobSnapshotStore(Container);

    protected override async Task PutDataFileOnlyAsync(string runId, string name, byte[] content)
    {
        await Container.CreateIfNotExistsAsync();
        await Container.GetBlobClient($"snapshots/{runId}/data/{name}").UploadAsync(new BinaryData(content), overwrite: true);
    }
}
