using MetaRec.Abstractions;

namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>One transfer method as a plugin entry: settings are the model's keys and the trainer's keys together.</summary>
internal sealed class TransferFamily(string name, TransferMethod method, string description) : ITransferFamily
{
    public string Name => name;

    public string Description => description;

    public TransferMethod Method => method;

    public ISequentialModel Train(TransferTask task, IReadOnlyDictionary<string, string> settings, int seed, IProgress<TransferProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(settings);
        var (model, other) = SequenceSettings.Partition(settings);
        var modelSettings = SequenceSettings.Read(model);
        var transferSettings = TransferSettings.Read(other);
        if (modelSettings.Hidden % transferSettings.VqHeads != 0)
        {
            throw new ArgumentException($"setting 'vq_heads' ({transferSettings.VqHeads}) must divide 'hidden' ({modelSettings.Hidden})");
        }
        using var trainer = new TransferTrainer(task, modelSettings, transferSettings, seed, progress, cancellation);
        return trainer.Run(method);
    }

    public static IReadOnlyList<TransferFamily> All { get; } =
    [
        new("target-only", TransferMethod.TargetOnly, "The sequential backbone trained on the target domain alone"),
        new("joint", TransferMethod.Joint, "Every domain trained together: shared encoder, one item table per domain"),
        new("pretrain-finetune", TransferMethod.PretrainFinetune, "Encoder pre-trained on the sources, then trained on the target"),
        new("meta-uniform", TransferMethod.MetaUniform, "MetaRec VQ with uniform source weights (no similarity rescaling), then fine-tuning"),
        new("meta-novq", TransferMethod.MetaNoVq, "MetaRec VQ without vector quantization (source items in their own space), then fine-tuning"),
        new("metarec-vq", TransferMethod.MetaVq, "MetaRec VQ: sources quantized into the target codebook, similarity-rescaled meta gradients, then fine-tuning"),
    ];
}
