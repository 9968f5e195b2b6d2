using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Storage.Snapshots;

namespace MetaRec.Cli.Tests;

/// <summary>`metarec train --snapshot`, the training job's entry point: it trains on exactly the snapshot's data.</summary>
public sealed class TrainSnapshotTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-snapshot-");

    public void Dispose() => _temp.Delete(recursive: true);

    private static string Shipped => Path.Combine(MetaRec.Testing.DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    [Fact]
    public async Task A_job_trains_on_the_snapshots_data_and_refuses_data_that_changed()
    {
        var dataset = DatasetReader.Read(Shipped);
        var good = Path.Combine(_temp.FullName, "good.json");
        SnapshotFile.Write(good, new DataSnapshot(Shipped, DatasetFingerprint.Compute(dataset), dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count, "cold-start", 1));
        var stale = Path.Combine(_temp.FullName, "stale.json");
        SnapshotFile.Write(stale, SnapshotFile.Read(good) with { Fingerprint = new string('a', 64) });

        var trained = await Metarec.RunAsync("train", "--family", "mpp", "--epochs", "1", "--snapshot", good, "--out", Path.Combine(_temp.FullName, "ckpt"));
        var refused = await Metarec.RunAsync("train", "--family", "mpp", "--epochs", "1", "--snapshot", stale, "--out", Path.Combine(_temp.FullName, "never"));
        var both = await Metarec.RunAsync("train", "--snapshot", good, "--data", Shipped, "--out", Path.Combine(_temp.FullName, "never"));
        var missing = await Metarec.RunAsync("train", "--snapshot", Path.Combine(_temp.FullName, "nope.json"), "--out", Path.Combine(_temp.FullName, "never"));

        Assert.True(trained.ExitCode == 0, trained.Output + trained.Error);
        Assert.Equal(SnapshotFile.Read(good).Fingerprint, CheckpointFolder.ReadManifest(Path.Combine(_temp.FullName, "ckpt")).Data.Fingerprint);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("changed since the snapshot", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give one of them", both.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no snapshot manifest", missing.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp.FullName, "never")), "a refused job writes no checkpoint");
    }

    [Fact]
    public async Task A_job_trains_on_the_copy_of_a_runs_data_in_storage_even_after_the_original_changed()
    {
        var storage = _temp.CreateSubdirectory("storage").FullName;
        var data = _temp.CreateSubdirectory("data").FullName;
        foreach (var file in Directory.GetFiles(Shipped))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }
        var dataset = DatasetReader.Read(data);
        var fingerprint = DatasetFingerprint.Compute(dataset);
        await new FolderSnapshotStore(storage).PutAsync("run-1", data, SnapshotFile.ToJson(
            new DataSnapshot(data, fingerprint, dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count, "cold-start", 1)));
        await File.AppendAllTextAsync(Path.Combine(data, "ratings.csv"), "999999,1,5.0,1700000000\r\n"); // the original moves on

        var trained = await Metarec.RunAsync("train", "--family", "mpp", "--epochs", "1", "--snapshot-run", "run-1", "--storage-folder", storage, "--out", Path.Combine(_temp.FullName, "ckpt"));
        var unknown = await Metarec.RunAsync("train", "--snapshot-run", "run-2", "--storage-folder", storage, "--out", Path.Combine(_temp.FullName, "never"));
        var twice = await Metarec.RunAsync("train", "--snapshot-run", "run-1", "--data", data, "--storage-folder", storage, "--out", Path.Combine(_temp.FullName, "never"));
        var badId = await Metarec.RunAsync("train", "--snapshot-run", "../run-1", "--storage-folder", storage, "--out", Path.Combine(_temp.FullName, "never"));

        Assert.True(trained.ExitCode == 0, trained.Output + trained.Error);
        var manifest = CheckpointFolder.ReadManifest(Path.Combine(_temp.FullName, "ckpt"));
        Assert.Equal(fingerprint, manifest.Data.Fingerprint);
        Assert.Equal(Path.GetFullPath(data), manifest.Data.Path); // the record names where the data came from, not the temporary copy
        Assert.NotEqual(fingerprint, DatasetFingerprint.Compute(DatasetReader.Read(data)));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("run run-2 has no data snapshot in storage", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("give one of them", twice.Error, StringComparison.Ordinal);
        Assert.Equal(2, badId.ExitCode);
        Assert.Contains("--snapshot-run: run id '../run-1' is not valid", badId.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp.FullName, "never")), "a refused job writes no checkpoint");
    }
}
