namespace MetaRec.Abstractions;

/// <summary>
/// A kind of model a plugin provides ("mpp", "melu", ...). Registered once per plugin through
/// <see cref="IModelFamilyPlugin"/>; creates new models and loads saved ones.
/// </summary>
public interface IModelFamily
{
    /// <summary>Lower-case name used in configuration, manifests and the CLI.</summary>
    string Name { get; }

    /// <summary>One line for listings.</summary>
    string Description { get; }

    /// <summary>
    /// A new, untrained model for <paramref name="catalogue"/>. <paramref name="settings"/>
    /// overrides the family's documented defaults (key = option name, case-insensitive);
    /// an unknown key or a bad value throws <see cref="ArgumentException"/> naming it.
    /// </summary>
    IRecModel Create(Catalogue catalogue, IReadOnlyDictionary<string, string> settings, int seed);

    /// <summary>Loads a model written by <see cref="IRecModel.Save"/>.</summary>
    IRecModel Load(Stream checkpoint);
}

/// <summary>A plugin assembly's single entry point: it lists the families, generators and transfer trainers it provides.</summary>
public interface IModelFamilyPlugin
{
    IEnumerable<IModelFamily> Families { get; }

    /// <summary>Model generators (most plugins have none).</summary>
    IEnumerable<IGeneratorFamily> Generators => [];

    /// <summary>Cross-domain transfer trainers (most plugins have none).</summary>
    IEnumerable<ITransferFamily> TransferFamilies => [];
}
