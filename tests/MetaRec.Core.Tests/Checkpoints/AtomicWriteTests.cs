using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Checkpoints;

/// <summary>
/// Checkpoint and snapshot files are replaced all at once through uniquely named temporary
/// files: concurrent writers never share one, and a failed write leaves the old file and no
/// temporary file behind.
/// </summary>
public sealed class AtomicWriteTests : IDisposable
{
    private readonly TempFolder _folder = new("metarec-atomic-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Concurrent_snapshot_writers_each_succeed_and_leave_one_whole_manifest()
    {
        var path = Path.Combine(_folder.Path, "runs", "snapshot.json");
        var snapshots = Enumerable.Range(0, 4).Select(i => Snapshot($"data-{i}.csv")).ToArray();

        for (var round = 0; round < 50; round++)
        {
            using var start = new Barrier(snapshots.Length);
            await Task.WhenAll(snapshots.Select(s => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    SnapshotFile.Write(path, s);
                },
                TaskCreationOptions.LongRunning)));
        }

        Assert.Contains(SnapshotFile.Read(path), snapshots);
        Assert.Equal(["snapshot.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_checkpoint_whose_weights_fail_to_save_keeps_the_previous_one_and_no_temporary_file()
    {
        using var good = new FixedModel([1, 2, 3]);
        var first = CheckpointFolder.Write(_folder.Path, good, Manifest);
        Assert.Equal(3, first.Weights.Bytes);

        using var failing = new FixedModel([9, 9, 9, 9], failAfterWriting: true);
        Assert.Throws<IOException>(() => CheckpointFolder.Write(_folder.Path, failing, Manifest));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_folder.Path, CheckpointFolder.WeightsFileName)));
        Assert.Equal(first.Weights, CheckpointFolder.ReadManifest(_folder.Path).Weights);
        Assert.Equal([CheckpointFolder.ManifestFile, CheckpointFolder.WeightsFileName], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static DataSnapshot Snapshot(string path) => new(path, new string('0', 64), 8, 40, 144, "cold-start", 1);

    private static CheckpointManifest Manifest(WeightsFile weights) => new(
        "fixed",
        DateTimeOffset.UnixEpoch,
        new Dictionary<string, string>(),
        new Dictionary<string, string>(),
        Snapshot("synthetic"),
        new Dictionary<string, double>(),
        TotalParameters: 0,
        AdaptiveParameters: 0,
        weights);

    /// <summary>A model whose weights are fixed bytes; it can fail after writing them, like a full disk.</summary>
    private sealed class FixedModel(byte[] weights, bool failAfterWriting = false) : IRecModel
    {
        public ModelInfo Info => throw new NotSupportedException();

        public Catalogue Catalogue => throw new NotSupportedException();

        public float Train(IReadOnlyList<UserTask> batch, TrainStage stage) => throw new NotSupportedException();

        public UserState Adapt(UserTask user) => throw new NotSupportedException();

        public float[] Score(int[] userFields, UserState? state, int[] items) => throw new NotSupportedException();

        public void Save(Stream stream)
        {
            stream.Write(weights);
            if (failAfterWriting)
            {
                throw new IOException("no space left on device");
            }
        }

        public void Dispose()
        {
        }
    }
}
