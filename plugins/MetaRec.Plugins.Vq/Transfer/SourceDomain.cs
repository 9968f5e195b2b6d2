using MetaRec.Abstractions;
using MetaRec.Core.Optimization;
using MetaRec.Plugins.Vq.Network;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>
/// A source domain while transferring: its own item table (never shared, never saved with the
/// target model), that table's optimiser, its batches, and, under VQ, every item's codes in the
/// target codebook.
/// </summary>
internal sealed class SourceDomain : IDisposable
{
    /// <summary>The domain's batches drawn with <paramref name="random"/>; its table's initial vectors from <paramref name="generator"/>.</summary>
    public SourceDomain(SequenceDomain domain, SequenceSettings settings, Random random, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(settings);
        Name = domain.Name;
        Batches = new DomainBatches(domain.Sequences, settings.BatchSize, settings.MaxLength, random);
        using (NewDisposeScope())
        {
            Items = new TorchSharp.Modules.Parameter(empty(domain.ItemCount, settings.Hidden).normal_(0, SequenceNetwork.InitStd, generator), requires_grad: true);
            Items.DetachFromDisposeScope();
        }
        Optimizer = new Adam([Items], settings.LearningRate, settings.WeightDecay);
    }

    public string Name { get; }

    /// <summary>(items, hidden): the domain's item table.</summary>
    public TorchSharp.Modules.Parameter Items { get; }

    public Adam Optimizer { get; }

    public DomainBatches Batches { get; }

    /// <summary>(items, heads): each item's codes, after <see cref="Assign"/>.</summary>
    public Tensor? Codes { get; private set; }

    /// <summary>Matches every item of the table to the codebook (no gradient).</summary>
    public void Assign(Tensor codebook, int heads)
    {
        Codes?.Dispose();
        Codes = VectorQuantizer.Assign(Items, codebook, heads).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        Codes?.Dispose();
        Optimizer.Dispose();
        Items.Dispose();
    }
}
