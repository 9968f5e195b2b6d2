using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.Optimization;
using MetaRec.Core.Tensors;
using MetaRec.Plugins.Vq.Network;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq;

/// <summary>
/// A target-domain sequential recommender (family <c>metarec-vq</c>): the network and how it
/// serves. A user's state is their recent sequence: the last <see cref="MaxLength"/> items of the
/// support set as item indices, left-padded with −1. <see cref="Train"/> takes one Adam step of
/// next-item training on the tasks' sequences (support then query, every interaction an event,
/// immediate repeats dropped); the transfer trainers drive <see cref="Network"/> themselves.
/// User fields and item features are checked but not used.
/// </summary>
internal sealed class SequentialModel : ISequentialModel
{
    public const string FamilyName = "metarec-vq";

    /// <summary>The state value of a position without an item.</summary>
    public const float NoItem = -1f;

    private readonly SequenceSettings _settings;
    private readonly Generator _random;
    private Adam? _adam;

    /// <summary>
    /// A model whose every random draw (initial weights, then training's dropout and negatives)
    /// comes from its own generator seeded with <paramref name="seed"/>: the same stream libtorch's
    /// global generator gave after <c>manual_seed(seed)</c>, without sharing it with other threads.
    /// </summary>
    public SequentialModel(SequenceSettings settings, Catalogue catalogue, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(catalogue);
        _settings = settings;
        Catalogue = catalogue;
        _random = new Generator(unchecked((ulong)seed));
        Network = new SequenceNetwork(catalogue.Schema.ItemCount, settings, _random);
        Info = new ModelInfo(FamilyName, Network.NamedParameters.Sum(p => p.Parameter.numel()), settings.MaxLength, settings.Effective);
    }

    public ModelInfo Info { get; }

    public Catalogue Catalogue { get; }

    public int MaxLength => _settings.MaxLength;

    public SequenceSettings Settings => _settings;

    public SequenceNetwork Network { get; }

    public float Train(IReadOnlyList<UserTask> batch, TrainStage stage)
    {
        Catalogue.CheckOfflineTraining(batch, stage, FamilyName);
        var sequences = batch.Select(t => Sequences.FromExamples(t.Support.Concat(t.Query))).Where(s => s.Length >= 2).ToList();
        if (sequences.Count == 0)
        {
            throw new ArgumentException("no task in the batch has the 2 interactions next-item training needs", nameof(batch));
        }
        return TrainStep(sequences);
    }

    /// <summary>One Adam step of next-item training on the target domain's <paramref name="sequences"/> (each at least 2 items).</summary>
    public float TrainStep(IReadOnlyList<int[]> sequences)
    {
        _adam ??= new Adam(Network.NamedParameters.Select(p => p.Parameter), _settings.LearningRate, _settings.WeightDecay);
        using var scope = NewDisposeScope();
        var batch = SequenceBatch.ForTraining(sequences, MaxLength);
        var weights = Network.Weights();
        var table = weights[SequenceNetwork.Items];
        var hidden = Network.Encode(SequenceNetwork.Lookup(table, batch.Items), batch, weights, training: true);
        var loss = NextItemObjective.Loss(hidden, batch, table, _settings.Loss, _settings.Negatives, _random);
        _adam.ZeroGrad();
        loss.backward();
        _adam.Step();
        return loss.item<float>();
    }

    public UserState Adapt(UserTask user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Catalogue.CheckTasks([user]);
        var sequence = Sequences.FromExamples(user.Support);
        var state = new float[MaxLength];
        Array.Fill(state, NoItem);
        var recent = sequence.Length > MaxLength ? sequence[^MaxLength..] : sequence;
        for (var k = 0; k < recent.Length; k++)
        {
            state[MaxLength - recent.Length + k] = recent[k];
        }
        return new UserState(state);
    }

    public float[] Score(int[] userFields, UserState? state, int[] items)
    {
        ArgumentNullException.ThrowIfNull(userFields);
        ArgumentNullException.ThrowIfNull(items);
        Catalogue.CheckUser(userFields, items, "(scored user)");
        var history = state is null ? [] : History(state);
        if (items.Length == 0)
        {
            return [];
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var last = LastStates([history]);
        var vectors = Network.Weights()[SequenceNetwork.Items].index_select(0, tensor(items.Select(i => (long)i).ToArray()));
        return sigmoid(matmul(last, vectors.t())).reshape(-1).ToFloatArray();
    }

    public float[] ScoreNext(IReadOnlyList<int[]> histories)
    {
        ArgumentNullException.ThrowIfNull(histories);
        if (histories.Count == 0)
        {
            return [];
        }
        var items = Catalogue.Schema.ItemCount;
        for (var h = 0; h < histories.Count; h++)
        {
            ArgumentNullException.ThrowIfNull(histories[h], nameof(histories));
            foreach (var item in histories[h])
            {
                if ((uint)item >= (uint)items)
                {
                    throw new ArgumentOutOfRangeException(nameof(histories), $"history {h}: item {item} is outside the catalogue of {items} items");
                }
            }
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        return matmul(LastStates(histories), Network.Weights()[SequenceNetwork.Items].t()).ToFloatArray();
    }

    /// <summary>(histories) -> (histories, hidden): the state after each history's most recent item, without dropout.</summary>
    private Tensor LastStates(IReadOnlyList<int[]> histories)
    {
        var batch = SequenceBatch.ForHistories(histories, MaxLength);
        var weights = Network.Weights();
        var hidden = Network.Encode(SequenceNetwork.Lookup(weights[SequenceNetwork.Items], batch.Items), batch, weights, training: false);
        return SequenceNetwork.Last(hidden);
    }

    private int[] History(UserState state)
    {
        if (state.Values.Length != MaxLength)
        {
            throw new ArgumentException(
                $"a user state of {state.Values.Length} values; family '{FamilyName}' keeps the last {MaxLength} items (pass null for a cold user)", nameof(state));
        }
        var history = new List<int>(MaxLength);
        foreach (var value in state.Values)
        {
            if (value == NoItem)
            {
                continue;
            }
            if (value != MathF.Floor(value) || value < 0 || value >= Catalogue.Schema.ItemCount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"user state value {value} is not an item index in [0, {Catalogue.Schema.ItemCount}) or {NoItem}"), nameof(state));
            }
            history.Add((int)value);
        }
        return [.. history];
    }

    public void Save(Stream stream) =>
        ModelCheckpoint.Write(stream, new CheckpointContents(FamilyName, _settings.Effective, Catalogue, ParameterCopy.Export(Network.NamedParameters)));

    public void Dispose()
    {
        _adam?.Dispose();
        Network.Dispose();
        _random.Dispose();
    }
}

/// <summary>Sequences from examples.</summary>
internal static class Sequences
{
    /// <summary>The examples' items in order, every interaction an event, immediate repeats dropped.</summary>
    public static int[] FromExamples(IEnumerable<Example> examples)
    {
        var sequence = new List<int>();
        foreach (var example in examples)
        {
            if (sequence.Count == 0 || sequence[^1] != example.Item)
            {
                sequence.Add(example.Item);
            }
        }
        return [.. sequence];
    }
}
