using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Tensors;

namespace MetaRec.Plugins.Mpp;

/// <summary>One of the families built on <see cref="EmbeddingMlp"/>, fixed by its <see cref="Mode"/>.</summary>
internal sealed class EmbeddingMlpFamily(string name, Mode mode, string description) : IModelFamily
{
    public string Name => name;

    public string Description => description;

    public IRecModel Create(Catalogue catalogue, IReadOnlyDictionary<string, string> settings, int seed)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(settings);
        var parsed = MppSettings.Read(mode, settings);
        return SeededInit.Build(seed, () => new EmbeddingMlpModel(name, parsed, catalogue));
    }

    public IRecModel Load(Stream checkpoint) =>
        ModelCheckpoint.Load(checkpoint, name, contents => new EmbeddingMlpModel(name, MppSettings.Read(mode, contents.Settings), contents.Catalogue), (model, tensors) => model.LoadWeights(tensors));
}

/// <summary>The plugin's entry point: MPP and the baselines it is compared with.</summary>
public sealed class MppPlugin : IModelFamilyPlugin
{
    public IEnumerable<IModelFamily> Families { get; } =
    [
        new EmbeddingMlpFamily("mpp", Mode.Mpp,
            "Meta parameter partition: fixed embeddings and lower layers, per-user adaptive top layer and bias (MAML), online meta-training"),
        new EmbeddingMlpFamily("melu", Mode.Melu,
            "MeLU-style: second-order MAML adapting every decision layer, embeddings fixed per user"),
        new EmbeddingMlpFamily("pooled", Mode.Pooled,
            "One embedding-MLP trained on all interactions; no per-user adaptation"),
        new EmbeddingMlpFamily("pooled-finetune", Mode.FineTune,
            "Pooled training, then fine-tuning of every parameter on the user's support set"),
    ];
}
