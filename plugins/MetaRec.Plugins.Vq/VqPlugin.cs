using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Plugins.Vq.Transfer;

namespace MetaRec.Plugins.Vq;

/// <summary>The sequential family: a target-domain model trained on its own sequences, loaded from any transfer trainer's checkpoint.</summary>
internal sealed class SequentialFamily : IModelFamily
{
    public string Name => SequentialModel.FamilyName;

    public string Description => "MetaRec VQ's sequential recommender (SASRec-style); state = the user's recent sequence. Transfer trainers: metarec transfer";

    public IRecModel Create(Catalogue catalogue, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(settings);
        var parsed = SequenceSettings.Read(settings);
        return new SequentialModel(parsed, catalogue, seed);
    }

    public IRecModel Load(Stream checkpoint) =>
        ModelCheckpoint.Load(checkpoint, Name, contents => new SequentialModel(SequenceSettings.Read(contents.Settings), contents.Catalogue, seed: 0), (model, tensors) => ParameterCopy.Import(model.Network.NamedParameters, tensors));
}

/// <summary>The plugin's entry point: the sequential family and the transfer trainers.</summary>
public sealed class VqPlugin : IModelFamilyPlugin
{
    public IEnumerable<IModelFamily> Families { get; } = [new SequentialFamily()];

    public IEnumerable<ITransferFamily> TransferFamilies => TransferFamily.All;
}
