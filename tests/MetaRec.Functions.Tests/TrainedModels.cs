using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Tensors;
using MetaRec.Storage.Registry;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// Small LiMAML models trained here on the shipped ml-latest-small, registered the way
/// `metarec models register` does (weights + manifest with item ids).
/// </summary>
public static class TrainedModels
{
    private static readonly Lazy<(InteractionDataset Dataset, TaskSplit Split, IModelFamily Family)> Setup = new(() =>
    {
        TorchRuntime.EnsureInitialized(1);
        var catalog = PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins"));
        var dataset = DatasetReader.Read(Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small"));
        var split = Protocol.Split("cold", dataset, new ColdStartOptions());
        return (dataset, split, catalog.Get("limaml"));
    });

    public static InteractionDataset Dataset => Setup.Value.Dataset;

    /// <summary>A model's weights after <paramref name="steps"/> meta-training steps from seed <paramref name="seed"/>.</summary>
    public static byte[] Train(int seed, int steps)
    {
        var (_, split, family) = Setup.Value;
        using var model = family.Create(split.Catalogue, new Dictionary<string, string>(), seed);
        for (var step = 0; step < steps; step++)
        {
            var batch = split.Train.Skip(step * 8 % Math.Max(1, split.Train.Count - 8)).Take(8).ToList();
            model.Train(batch, TrainStage.Offline);
        }
        using var weights = new MemoryStream();
        model.Save(weights);
        return weights.ToArray();
    }

    public static async Task RegisterAsync(IModelRegistry registry, string version, byte[] weights, bool promote)
    {
        await registry.RegisterAsync(
            new ModelManifest { Family = "limaml", Version = version, ItemIds = Dataset.ItemIds },
            new MemoryStream(weights));
        if (promote)
        {
            var active = await registry.GetActiveAsync("limaml");
            await registry.PromoteAsync("limaml", version, active?.ETag);
        }
    }
}
