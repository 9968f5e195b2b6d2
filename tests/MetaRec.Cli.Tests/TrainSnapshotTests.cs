using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;

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
        Assert.Contains("not both", both.Error, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no snapshot manifest", missing.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_temp.FullName, "never")), "a refused job writes no checkpoint");
    }
}
