using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Ranking;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Plugins.LiMaml;

/// <summary>
/// A LiMAML model. Training is MAML on the meta block (first order by default). A user's state
/// is the meta embedding: adapt the meta block on the user's recent interactions, run it once,
/// keep its output and drop the adapted weights. Scoring needs only that vector and the global
/// block; a user without one is scored with the meta-initialised block (cold start). Ranking the
/// whole catalogue runs the global block in managed SIMD code over the item side of fc1, kept per
/// set of weights (<see cref="ReluMlpTail"/>), instead of through libtorch.
/// </summary>
internal sealed class LiMamlModel : IRecModel, ICatalogueRanker
{
    public const string FamilyName = "limaml";

    private readonly LiMamlSettings _settings;
    private readonly LiMamlNetwork _network;
    private readonly MetaLearner _learner;
    private readonly string[] _metaBlock;
    private readonly Lock _itemSideGate = new();
    private Tensor? _itemSide;
    private ReluMlpTail? _tail;

    public LiMamlModel(LiMamlSettings settings, Catalogue catalogue)
    {
        _settings = settings;
        Catalogue = catalogue;
        _network = new LiMamlNetwork(catalogue, settings.Dim, settings.MetaHidden, settings.EmbeddingSize, settings.Hidden1, settings.Hidden2);
        _metaBlock = [.. _network.NamedParameters.Select(p => p.Name).Where(n => LiMamlNetwork.MetaLayers.Any(l => n.StartsWith(l + "_", StringComparison.Ordinal)))];
        _learner = new MetaLearner(_network, _metaBlock, settings.Maml);
        Info = new ModelInfo(FamilyName, _network.NamedParameters.Sum(p => p.Parameter.numel()), settings.EmbeddingSize, settings.Effective);
    }

    public ModelInfo Info { get; }

    public Catalogue Catalogue { get; }

    public float Train(IReadOnlyList<UserTask> batch, TrainStage stage)
    {
        Catalogue.CheckOfflineTraining(batch, stage, FamilyName, "refresh embeddings instead");
        InvalidateItemSide();
        return _learner.Step(batch, stage);
    }

    /// <summary>The refresh: the user's meta embedding (<see cref="ModelInfo.AdaptiveParameters"/> floats).</summary>
    public UserState Adapt(UserTask user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Catalogue.CheckUser(user.UserFields, user.Support.Select(e => e.Item), user.UserId);
        using var scope = NewDisposeScope();
        var support = TaskTensors.Support([user]);
        var fast = _learner.AdaptedWeights(user, support);
        using var noGrad = no_grad();
        return new UserState(_network.MetaEmbedding(support, fast).reshape(-1).ToFloatArray());
    }

    public float[] Score(int[] userFields, UserState? state, int[] items)
    {
        if (!Catalogue.CheckScoring(userFields, state, _settings.EmbeddingSize, items))
        {
            return [];
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var weights = _network.Weights();
        var embedding = state is null
            ? _network.MetaEmbedding(TaskTensors.ForScoring(userFields, [0]), weights)
            : tensor(state.Values).view(1, -1);
        var itemSide = ItemSide(weights);
        var rows = items.Length == itemSide.shape[0] && IsWholeCatalogue(items)
            ? itemSide
            : itemSide.index_select(0, tensor(Array.ConvertAll(items, i => (long)i)));
        return sigmoid(LiMamlNetwork.GlobalFromItemSide(embedding, rows, weights)).ToFloatArray();
    }

    public CatalogueRanking Rank(int[] userFields, UserState? state, int depth, IReadOnlySet<int>? excluded)
    {
        ArgumentNullException.ThrowIfNull(userFields);
        Catalogue.CheckUser(userFields, [], "(ranked user)");
        if (state is not null && state.Values.Length != _settings.EmbeddingSize)
        {
            throw new ArgumentException($"meta embedding has {state.Values.Length} floats; this model's has {_settings.EmbeddingSize}", nameof(state));
        }
        return Tail().Top(state?.Values ?? ColdEmbedding(userFields), depth, excluded);
    }

    private float[] ColdEmbedding(int[] userFields)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var weights = _network.Weights();
        return _network.MetaEmbedding(TaskTensors.ForScoring(userFields, [0]), weights).reshape(-1).ToFloatArray();
    }

    /// <summary>The global block as managed arrays for <see cref="Rank"/>, built once per set of weights.</summary>
    private ReluMlpTail Tail()
    {
        lock (_itemSideGate)
        {
            if (_tail is null)
            {
                using var scope = NewDisposeScope();
                using var inference = inference_mode();
                var weights = _network.Weights();
                var w1 = weights["fc1_weight"];
                _tail = new ReluMlpTail(
                    _network.CatalogueItemSide(weights).ToFloatArray(),
                    Catalogue.Schema.ItemCount,
                    w1.narrow(0, 0, _settings.EmbeddingSize).contiguous().ToFloatArray(),
                    weights["fc2_weight"].ToFloatArray(),
                    weights["fc2_bias"].ToFloatArray(),
                    weights["out_weight"].ToFloatArray(),
                    weights["out_bias"].ToFloatArray()[0]);
            }
            return _tail;
        }
    }

    /// <summary>The catalogue's item side of fc1, computed once per set of weights (see <see cref="LiMamlNetwork.CatalogueItemSide"/>).</summary>
    private Tensor ItemSide(IReadOnlyDictionary<string, Tensor> weights)
    {
        lock (_itemSideGate)
        {
            _itemSide ??= _network.CatalogueItemSide(weights).DetachFromDisposeScope();
            return _itemSide;
        }
    }

    private void InvalidateItemSide()
    {
        lock (_itemSideGate)
        {
            _itemSide?.Dispose();
            _itemSide = null;
            _tail = null;
        }
    }

    private static bool IsWholeCatalogue(int[] items)
    {
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] != i)
            {
                return false;
            }
        }
        return true;
    }

    public void Save(Stream stream) =>
        ModelCheckpoint.Write(stream, new CheckpointContents(FamilyName, _settings.Effective, Catalogue, ParameterCopy.Export(_network.NamedParameters)));

    public void LoadWeights(IReadOnlyList<NamedTensor> tensors)
    {
        InvalidateItemSide();
        ParameterCopy.Import(_network.NamedParameters, tensors);
    }

    public void Dispose()
    {
        InvalidateItemSide();
        _learner.Dispose();
        _network.Dispose();
    }
}
