using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Optimization;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Mpp;

/// <summary>
/// A model of one of the embedding-MLP families: the network, its partition into fixed and
/// adaptive parameters, and how it trains (meta or pooled) and adapts (MAML or fine-tuning).
/// </summary>
internal sealed class EmbeddingMlpModel : IRecModel
{
    private readonly string _family;
    private readonly MppSettings _settings;
    private readonly EmbeddingMlp _network;
    private readonly MetaLearner _learner;
    private readonly Adam? _pooled;

    public EmbeddingMlpModel(string family, MppSettings settings, Catalogue catalogue)
    {
        _family = family;
        _settings = settings;
        Catalogue = catalogue;
        _network = new EmbeddingMlp(catalogue, settings.EmbeddingDim, settings.Hidden1, settings.Hidden2, settings.UserDim);
        var names = _network.NamedParameters.Select(p => p.Name).ToList();
        if (settings.AdaptiveGroups.Contains(EmbeddingMlp.UserVector) && settings.UserDim == 0)
        {
            throw new ArgumentException("setting 'adaptive' lists user_vector but 'user_dim' is 0");
        }
        var adaptive = settings.AdaptiveGroups is [MppSettings.All]
            ? names
            : names.Where(n => settings.AdaptiveGroups.Any(g => n == g || n.StartsWith(g + "_", StringComparison.Ordinal))).ToList();
        _learner = new MetaLearner(_network, adaptive, settings.Maml);
        if (settings.Mode is Mode.Pooled or Mode.FineTune)
        {
            _pooled = new Adam(_network.NamedParameters.Select(p => p.Parameter), settings.Maml.OuterLearningRate, settings.Maml.WeightDecay);
        }
        Info = new ModelInfo(family, _network.NamedParameters.Sum(p => p.Parameter.numel()), _learner.AdaptiveParameterCount, settings.Effective);
    }

    public ModelInfo Info { get; }

    public Catalogue Catalogue { get; }

    /// <summary>Names of the parameters adapted per user.</summary>
    public IReadOnlyList<string> AdaptiveParameters => _learner.Adaptive;

    public float Train(IReadOnlyList<UserTask> batch, TrainStage stage)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Catalogue.CheckTasks(batch);
        if (_pooled is null)
        {
            if (stage == TrainStage.Online && _settings.Mode != Mode.Mpp)
            {
                throw new NotSupportedException($"family '{_family}' has no online meta-training stage");
            }
            return _learner.Step(batch, stage);
        }
        if (stage == TrainStage.Online)
        {
            throw new NotSupportedException($"family '{_family}' has no online meta-training stage");
        }
        using var scope = NewDisposeScope();
        var all = TaskTensors.All(batch);
        var weights = _network.Weights();
        var loss = Maml.TaskLosses(_network.Decode(_network.Encode(all, weights), all, weights), all).mean();
        _pooled.ZeroGrad();
        loss.backward();
        _pooled.Step();
        return loss.item<float>();
    }

    public UserState Adapt(UserTask user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Catalogue.CheckTasks([user]);
        return new UserState(_learner.Adapt(user));
    }

    public float[] Score(int[] userFields, UserState? state, int[] items)
    {
        ArgumentNullException.ThrowIfNull(userFields);
        ArgumentNullException.ThrowIfNull(items);
        Catalogue.CheckUser(userFields, items, "(scored user)");
        if (items.Length == 0)
        {
            return [];
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var input = TaskTensors.ForScoring(userFields, items);
        var values = state is null || state.Values.Length == 0 ? null : state.Values;
        if (values is null && state is not null && Info.AdaptiveParameters > 0)
        {
            throw new ArgumentException($"an empty user state for family '{_family}', which adapts {Info.AdaptiveParameters} values; pass null for a cold user", nameof(state));
        }
        return sigmoid(_learner.Logits(input, values)).reshape(-1).ToFloatArray();
    }

    public void Save(Stream stream) =>
        ModelCheckpoint.Write(stream, new CheckpointContents(_family, _settings.Effective, Catalogue, ParameterCopy.Export(_network.NamedParameters)));

    /// <summary>Overwrites the weights with a checkpoint's.</summary>
    public void LoadWeights(IReadOnlyList<NamedTensor> tensors) => ParameterCopy.Import(_network.NamedParameters, tensors);

    public void Dispose()
    {
        _pooled?.Dispose();
        _learner.Dispose();
        _network.Dispose();
    }
}
