using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Mpp.Tests;

/// <summary>Checkpoint folders with a real model: manifest, hash check, refusal of tampered weights.</summary>
public sealed class CheckpointFolderTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-ckpt-");
    private readonly IModelFamily _family = new MppPlugin().Families.Single(f => f.Name == "mpp");

    public CheckpointFolderTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void A_written_checkpoint_loads_back_with_identical_scores()
    {
        using var model = Trained();
        CheckpointFolder.Write(_temp.FullName, model, Manifest);

        using var loaded = CheckpointFolder.Load(_temp.FullName, _ => _family, out var manifest);

        Assert.Equal("mpp", manifest.Family);
        Assert.Equal(new FileInfo(Path.Combine(_temp.FullName, "model.bin")).Length, manifest.Weights.Bytes);
        Assert.Equal(model.Score([1, 2], null, [3, 4, 5]), loaded.Score([1, 2], null, [3, 4, 5]));
        Assert.Empty(Directory.GetFiles(_temp.FullName, "*.partial"));
    }

    [Fact]
    public void Weights_that_do_not_match_the_manifest_are_refused()
    {
        using var model = Trained();
        CheckpointFolder.Write(_temp.FullName, model, Manifest);
        var weights = Path.Combine(_temp.FullName, "model.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0x40; // one flipped bit in the last tensor
        File.WriteAllBytes(weights, bytes);

        var error = Assert.Throws<InvalidDataException>(() => CheckpointFolder.Load(_temp.FullName, _ => _family, out _));

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
    }

    private IRecModel Trained()
    {
        var catalogue = SyntheticTasks.Catalogue();
        var model = _family.Create(catalogue, new Dictionary<string, string> { ["embedding_dim"] = "8" }, seed: 5);
        model.Train(SyntheticTasks.Tasks(catalogue, 8), TrainStage.Offline);
        return model;
    }

    private static CheckpointManifest Manifest(WeightsFile weights) => new(
        "mpp",
        DateTimeOffset.UnixEpoch,
        new Dictionary<string, string>(),
        new Dictionary<string, string>(),
        new DataSnapshot("synthetic", new string('0', 64), 8, 40, 144, "cold-start", 1),
        new Dictionary<string, double> { ["test.auc"] = 0.5 },
        1,
        1,
        weights);
}
