using MetaRec.Abstractions;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Mpp.Tests;

public abstract class EmbeddingMlpConformance : ModelFamilyConformanceTests
{
    private static readonly Dictionary<string, string> Small = new() { ["embedding_dim"] = "8", ["hidden1"] = "16", ["hidden2"] = "8", ["outer_lr"] = "0.01" };

    protected EmbeddingMlpConformance() => TorchRuntime.EnsureInitialized();

    protected abstract string Name { get; }

    protected override IModelFamily Family => new MppPlugin().Families.Single(f => f.Name == Name);

    protected override IReadOnlyDictionary<string, string> Settings => Small;
}

public sealed class MppConformanceTests : EmbeddingMlpConformance
{
    protected override string Name => "mpp";
}

public sealed class MeluConformanceTests : EmbeddingMlpConformance
{
    protected override string Name => "melu";
}

public sealed class PooledConformanceTests : EmbeddingMlpConformance
{
    protected override string Name => "pooled";
}

public sealed class PooledFineTuneConformanceTests : EmbeddingMlpConformance
{
    protected override string Name => "pooled-finetune";
}
