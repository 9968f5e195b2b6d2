using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Network;

/// <summary>
/// A SASRec-style next-item network over explicit weights: the domain's item table
/// (<see cref="Items"/>, which MetaRec VQ also uses as the codebook), learned positions counted
/// back from the most recent item, and pre-norm causal self-attention blocks (multi-head
/// attention, then a ReLU feed-forward layer, each with a residual connection and dropout),
/// then a final layer norm. The next-item score of an item is the dot product of the last
/// hidden state with the item's vector. Every layer is a function of explicit weights, so a
/// meta-learner can run it on fast weights. Parameter names are checkpoint keys. Every random
/// draw (initial weights, dropout masks, sampled negatives) comes from the network's own
/// <see cref="Random"/> generator, never libtorch's global one, so a seed gives the same
/// training however many models train beside it.
/// </summary>
internal sealed class SequenceNetwork : ExplicitWeightsModule
{
    public const string Items = "items";
    public const string Positions = "positions";
    public const string FinalNorm = "final_norm";

    /// <summary>Standard deviation of the initial item and position vectors.</summary>
    public const double InitStd = 0.05;

    private readonly int _hidden;
    private readonly int _heads;
    private readonly int _blocks;
    private readonly double _dropout;
    private readonly Scalar _embeddingScale;
    private readonly Scalar _attentionScale;

    /// <summary>Builds the network, drawing its initial weights from <paramref name="random"/>, which it keeps (not owns) for training's draws.</summary>
    public SequenceNetwork(int itemCount, SequenceSettings settings, Generator random)
        : base(nameof(SequenceNetwork))
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(random);
        Random = random;
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, 1);
        using var scope = NewDisposeScope();
        _hidden = settings.Hidden;
        _heads = settings.Heads;
        _blocks = settings.Blocks;
        _dropout = settings.Dropout;
        MaxLength = settings.MaxLength;
        _embeddingScale = Math.Sqrt(_hidden).ToScalar();
        _attentionScale = (1 / Math.Sqrt(_hidden / _heads)).ToScalar();
        ItemCount = itemCount;

        AddParameter(Items, empty(itemCount, _hidden).normal_(0, InitStd, random));
        AddParameter(Positions, empty(MaxLength, _hidden).normal_(0, InitStd, random));
        for (var b = 0; b < _blocks; b++)
        {
            AddNorm(Block(b, "attention_norm"));
            AddLinear(Block(b, "query"), _hidden, _hidden, random);
            AddLinear(Block(b, "key"), _hidden, _hidden, random);
            AddLinear(Block(b, "value"), _hidden, _hidden, random);
            AddLinear(Block(b, "attention_out"), _hidden, _hidden, random);
            AddNorm(Block(b, "ffn_norm"));
            AddLinear(Block(b, "ffn1"), _hidden, _hidden, random);
            AddLinear(Block(b, "ffn2"), _hidden, _hidden, random);
        }
        AddNorm(FinalNorm);
    }

    public int ItemCount { get; }

    public int MaxLength { get; }

    public int Hidden => _hidden;

    /// <summary>The generator every draw of this network's training comes from (its owner disposes it).</summary>
    public Generator Random { get; }

    /// <summary>Every parameter but the item table: what domains share.</summary>
    public IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> EncoderParameters => NamedParameters.Where(p => p.Name != Items);

    private static string Block(int block, string layer) => $"block{block}_{layer}";

    /// <summary>
    /// (batch, length) item indices (−1 = padding) looked up in <paramref name="table"/> (items, hidden)
    /// -> (batch, length, hidden); padding rows are whatever row 0 holds and are masked in <see cref="Encode"/>.
    /// </summary>
    public static Tensor Lookup(Tensor table, Tensor items)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(items);
        return table.index_select(0, items.clamp_min(Rooted.IndexZero).reshape(-1)).view(items.shape[0], items.shape[1], -1);
    }

    /// <summary>
    /// (batch, length, hidden) item vectors of a left-padded batch -> (batch, length, hidden)
    /// hidden states, position t attending to positions ≤ t that hold items. Encoder weights come
    /// from <paramref name="weights"/>; dropout only when <paramref name="training"/>.
    /// </summary>
    public Tensor Encode(Tensor itemVectors, SequenceBatch batch, IReadOnlyDictionary<string, Tensor> weights, bool training)
    {
        ArgumentNullException.ThrowIfNull(itemVectors);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(weights);
        long size = batch.Size, length = batch.Length;
        var valid = batch.Valid.unsqueeze(-1); // (batch, length, 1) of 0 / 1
        var positions = weights[Positions].narrow(0, MaxLength - length, length).unsqueeze(0);
        var x = itemVectors.mul(_embeddingScale).add(positions, Scalars.One);
        x = Dropout(x, training).mul(valid);
        var headSize = _hidden / _heads;
        for (var b = 0; b < _blocks; b++)
        {
            var h = Norm(x, weights, Block(b, "attention_norm"));
            Tensor Heads(string layer) => Dense(h, weights, Block(b, layer)).view(size, length, _heads, headSize).transpose(1, 2);
            var scores = matmul(Heads("query"), Heads("key").transpose(-2, -1)).mul(_attentionScale).add(batch.AttentionBias, Scalars.One);
            var attention = Dropout(scores.softmax(-1), training);
            var mixed = matmul(attention, Heads("value")).transpose(1, 2).reshape(size, length, _hidden);
            x = x.add(Dropout(Dense(mixed, weights, Block(b, "attention_out")), training), Scalars.One);
            h = Norm(x, weights, Block(b, "ffn_norm"));
            var f = Dense(nn.functional.relu(Dense(h, weights, Block(b, "ffn1"))), weights, Block(b, "ffn2"));
            x = x.add(Dropout(f, training), Scalars.One).mul(valid);
        }
        return Norm(x, weights, FinalNorm);
    }

    /// <summary>(batch, length, hidden) -> (batch, hidden): the state after each row's last position, the most recent item.</summary>
    public static Tensor Last(Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        return hidden.select(1, hidden.shape[1] - 1);
    }

    /// <summary>
    /// Inverted dropout with a mask from <see cref="Random"/>: what libtorch's CPU dropout does
    /// (a Bernoulli(1 − p) mask divided by 1 − p, times x), on this network's generator.
    /// </summary>
    private Tensor Dropout(Tensor x, bool training)
    {
        if (!training || _dropout == 0)
        {
            return x;
        }
        var keep = 1 - _dropout;
        return x.mul(empty_like(x).bernoulli_(keep, Random).div_(keep));
    }

    private static Tensor Dense(Tensor x, IReadOnlyDictionary<string, Tensor> weights, string name) =>
        Linear(x, weights[name + "_weight"], weights[name + "_bias"]);

    private Tensor Norm(Tensor x, IReadOnlyDictionary<string, Tensor> weights, string name) =>
        nn.functional.layer_norm(x, [_hidden], weights[name + "_weight"], weights[name + "_bias"]);

    /// <summary>Registers "{name}_weight" (ones) and "{name}_bias" (zeros) of a layer norm.</summary>
    private void AddNorm(string name)
    {
        AddParameter(name + "_weight", ones(_hidden));
        AddParameter(name + "_bias", zeros(_hidden));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _embeddingScale.Dispose();
            _attentionScale.Dispose();
        }
        base.Dispose(disposing);
    }
}
