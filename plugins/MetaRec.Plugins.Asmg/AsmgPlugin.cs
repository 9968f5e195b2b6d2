using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Tensors;

namespace MetaRec.Plugins.Asmg;

internal sealed class AsmgFamily : IModelFamily
{
    public string Name => AsmgModel.FamilyName;

    public string Description => "ASMG base model: embedding-MLP click model with a history of past items, updated period by period";

    public IRecModel Create(Catalogue catalogue, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(settings);
        var parsed = AsmgSettings.Read(settings);
        return SeededInit.Build(seed, () => new AsmgModel(parsed, catalogue));
    }

    public IRecModel Load(Stream checkpoint) =>
        ModelCheckpoint.Load(checkpoint, Name, contents => new AsmgModel(AsmgSettings.Read(contents.Settings), contents.Catalogue), (model, tensors) => ParameterCopy.Import(model.NamedParameters, tensors));
}

/// <summary>The generators: GRU (ASMG) and linear (its baseline), both over ASMG base models.</summary>
internal sealed class AsmgGeneratorFamily(string name, string description) : IGeneratorFamily
{
    public string Name => name;

    public string Description => description;

    public string BaseFamily => AsmgModel.FamilyName;

    private bool Recurrent => name == GruGenerator.Family;

    public IModelGenerator Create(IRecModel template, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (template is not AsmgModel asmg)
        {
            throw new ArgumentException($"generator '{name}' generates '{AsmgModel.FamilyName}' models, not '{template?.Info.Family}'", nameof(template));
        }
        var parsed = GeneratorSettings.Read(settings, Recurrent);
        return SeededInit.Build<IModelGenerator>(seed, () => Recurrent ? new GruGenerator(parsed, asmg) : new LinearGenerator(parsed, asmg));
    }

    public IModelGenerator Load(Stream checkpoint) => Recurrent
        ? ParameterGenerator.Load(checkpoint, name, (settings, template) => new GruGenerator(settings, template))
        : ParameterGenerator.Load(checkpoint, name, (settings, template) => new LinearGenerator(settings, template));
}

/// <summary>The plugin's entry point: the ASMG base family and its two generators.</summary>
public sealed class AsmgPlugin : IModelFamilyPlugin
{
    public IEnumerable<IModelFamily> Families { get; } = [new AsmgFamily()];

    public IEnumerable<IGeneratorFamily> Generators { get; } =
    [
        new AsmgGeneratorFamily(GruGenerator.Family, "ASMG: element-wise GRU over the last k period models generates the serving model"),
        new AsmgGeneratorFamily(LinearGenerator.Family, "ASMG-Linear: learned weighted sum of the last k period models"),
    ];
}
