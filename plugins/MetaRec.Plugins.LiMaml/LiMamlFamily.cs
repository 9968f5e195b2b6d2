using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Tensors;

namespace MetaRec.Plugins.LiMaml;

internal sealed class LiMamlFamily : IModelFamily
{
    public string Name => LiMamlModel.FamilyName;

    public string Description => "LiMAML: meta block adapted per user by MAML, stored as a meta embedding read by a shared global block";

    public IRecModel Create(Catalogue catalogue, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(settings);
        var parsed = LiMamlSettings.Read(settings);
        return SeededInit.Build(seed, () => new LiMamlModel(parsed, catalogue));
    }

    public IRecModel Load(Stream checkpoint) =>
        ModelCheckpoint.Load(checkpoint, Name, contents => new LiMamlModel(LiMamlSettings.Read(contents.Settings), contents.Catalogue), (model, tensors) => model.LoadWeights(tensors));
}

/// <summary>The wide-and-deep ID baseline LiMAML is compared with.</summary>
internal sealed class WideDeepFamily : IModelFamily
{
    public string Name => WideDeepModel.FamilyName;

    public string Description => "Wide-and-deep ID personalization: user-id embedding learned jointly, no meta learning (LiMAML's baseline)";

    public IRecModel Create(Catalogue catalogue, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        return SeededInit.Build(seed, () => new WideDeepModel(settings, catalogue));
    }

    public IRecModel Load(Stream checkpoint) =>
        ModelCheckpoint.Load(checkpoint, Name, contents => new WideDeepModel(contents.Settings, contents.Catalogue), (model, tensors) => ParameterCopy.Import(model.NamedParameters, tensors));
}

/// <summary>The plugin's entry point: LiMAML and its wide-and-deep baseline.</summary>
public sealed class LiMamlPlugin : IModelFamilyPlugin
{
    public IEnumerable<IModelFamily> Families { get; } = [new LiMamlFamily(), new WideDeepFamily()];
}
