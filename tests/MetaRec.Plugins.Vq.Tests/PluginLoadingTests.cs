using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Tensors;
using MetaRec.Testing;

namespace MetaRec.Plugins.Vq.Tests;

/// <summary>The plugin as a host sees it: loaded from the bundled plugins folder in its own context.</summary>
public sealed class PluginLoadingTests
{
    public PluginLoadingTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void The_bundled_plugin_provides_the_family_and_the_six_transfer_trainers_through_host_types()
    {
        var catalog = PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins"));

        Assert.Empty(catalog.Failures);
        var family = catalog.Get("metarec-vq");
        Assert.NotSame(typeof(VqPlugin).Assembly, family.GetType().Assembly);
        Assert.Equal(["target-only", "joint", "pretrain-finetune", "meta-uniform", "meta-novq", "metarec-vq"], catalog.TransferFamilies.Select(t => t.Name));
        var data = SequenceReader.Read(Path.Combine(DatasetPaths.Require("tiny/seq-tiny"), "Toys_and_Games.txt"));
        var split = LeaveOneOutSplit.Create(data);
        var task = new TransferTask([], new SequenceDomain(data.Name, data.ItemCount, split.Training), split.Validation);
        using var model = catalog.GetTransfer("target-only").Train(task, new Dictionary<string, string> { ["hidden"] = "16", ["epochs"] = "1", ["negatives"] = "16" }, 1, null, CancellationToken.None);
        Assert.Equal(data.ItemCount, model.ScoreNext([split.Test[0].History]).Length);
        Assert.Throws<KeyNotFoundException>(() => catalog.GetTransfer("metarec"));
    }
}
