using MetaRec.Abstractions;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Vq.Tests;

public sealed class SequentialConformanceTests : ModelFamilyConformanceTests
{
    private static readonly Dictionary<string, string> Small = new() { ["hidden"] = "16", ["max_length"] = "10", ["negatives"] = "8", ["lr"] = "0.01", ["dropout"] = "0.1" };

    public SequentialConformanceTests() => TorchRuntime.EnsureInitialized();

    protected override IModelFamily Family => new VqPlugin().Families.Single(f => f.Name == "metarec-vq");

    protected override IReadOnlyDictionary<string, string> Settings => Small;
}
