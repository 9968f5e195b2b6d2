using MetaRec.Abstractions;
using MetaRec.Core.Optimization;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>
/// MAML over a partitioned network: the parameters named adaptive are adapted per user in the
/// inner loop; every parameter (fixed and adaptive initialisation) learns in the offline outer
/// loop (Adam); in the online stage only the adaptive initialisation learns and the fixed part
/// is frozen. Tasks of a batch are vectorised: adaptive weights get a leading task dimension.
/// </summary>
public sealed class MetaLearner : IDisposable
{
    private readonly IFunctionalModel _model;
    private readonly string[] _adaptive;
    private readonly MamlOptions _options;
    private readonly Adam _offline;
    private readonly Adam? _online;

    public MetaLearner(IFunctionalModel model, IReadOnlyCollection<string> adaptive, MamlOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(adaptive);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var names = model.NamedParameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = adaptive.Where(a => !names.Contains(a)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"adaptive parameters not in the model: {string.Join(", ", unknown)}", nameof(adaptive));
        }
        _model = model;
        _adaptive = [.. model.NamedParameters.Select(p => p.Name).Where(adaptive.Contains)];
        _options = options;
        _offline = new Adam(model.NamedParameters.Select(p => p.Parameter), options.OuterLearningRate, options.WeightDecay);
        _online = _adaptive.Length == 0
            ? null
            : new Adam(model.NamedParameters.Where(p => _adaptive.Contains(p.Name)).Select(p => p.Parameter), options.OnlineLearningRate);
    }

    /// <summary>Names of the adaptive parameters, in model order.</summary>
    public IReadOnlyList<string> Adaptive => _adaptive;

    public MamlOptions Options => _options;

    /// <summary>
    /// One outer step: adapt every task on its support set, then step Adam on the mean query
    /// loss (offline, plus <see cref="MamlOptions.SupportLossWeight"/> × the mean support loss at
    /// the initialisation). Offline: every parameter learns. Online: only the adaptive
    /// initialisation. Returns the mean query loss after adaptation.
    /// </summary>
    public float Step(IReadOnlyList<UserTask> batch, TrainStage stage)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var optimizer = stage == TrainStage.Offline
            ? _offline
            : _online ?? throw new InvalidOperationException("a model without adaptive parameters has no online stage");
        using var scope = NewDisposeScope();
        var support = TaskTensors.Support(batch);
        var query = TaskTensors.Query(batch);
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in _model.NamedParameters)
        {
            var isAdaptive = _adaptive.Contains(name);
            weights[name] = isAdaptive
                ? parameter.unsqueeze(0).expand([batch.Count, .. parameter.shape])
                : stage == TrainStage.Online ? parameter.detach() : parameter;
        }
        var fast = Maml.InnerLoop(_model, support, weights, _adaptive, _options.InnerSteps, _options.InnerLearningRate, createGraph: !_options.FirstOrder);
        var queryLoss = Maml.TaskLosses(_model.Decode(_model.Encode(query, fast), query, fast), query).mean();
        var loss = queryLoss;
        if (stage == TrainStage.Offline && _options.SupportLossWeight > 0)
        {
            var supportLoss = Maml.TaskLosses(_model.Decode(_model.Encode(support, weights), support, weights), support).mean();
            loss = queryLoss + (_options.SupportLossWeight * supportLoss);
        }
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.Step();
        return queryLoss.item<float>();
    }

    /// <summary>
    /// Serving-time adaptation of one user: the inner loop from the meta-initialisation on the
    /// support set, without a second-order graph. Returns the adapted adaptive parameters
    /// flattened in model order (empty when nothing adapts).
    /// </summary>
    public float[] Adapt(UserTask user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (_adaptive.Length == 0)
        {
            return [];
        }
        using var scope = NewDisposeScope();
        var fast = AdaptedWeights(user, TaskTensors.Support([user]));
        return ParameterVector.Flatten(_adaptive.Select(name => fast[name]));
    }

    /// <summary>
    /// Every weight by name after the serving-time inner loop on <paramref name="user"/>'s
    /// support set (the meta-initialisation without one), detached from the model.
    /// <paramref name="support"/> is <c>TaskTensors.Support([user])</c>, passed in so a caller
    /// that reads it again builds it once. The tensors belong to the caller's dispose scope.
    /// </summary>
    public Dictionary<string, Tensor> AdaptedWeights(UserTask user, TaskTensors support)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(support);
        using var grad = enable_grad();
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in _model.NamedParameters)
        {
            weights[name] = _adaptive.Contains(name) ? parameter.detach().clone().requires_grad_() : parameter.detach();
        }
        return user.Support.Count == 0
            ? weights
            : Maml.InnerLoop(_model, support, weights, _adaptive, _options.InnerSteps, _options.InnerLearningRate, createGraph: false);
    }

    /// <summary>
    /// Logits for <paramref name="input"/> with the adaptive weights taken from
    /// <paramref name="state"/> (a vector from <see cref="Adapt"/>) or, when null, the
    /// meta-initialisation.
    /// </summary>
    public Tensor Logits(TaskTensors input, float[]? state)
    {
        ArgumentNullException.ThrowIfNull(input);
        var weights = ExplicitWeightsModule.ByName(_model.NamedParameters);
        if (state is not null)
        {
            var shapes = _adaptive.Select(name => weights[name].shape).ToList();
            var tensors = ParameterVector.Unflatten(state, shapes);
            for (var i = 0; i < _adaptive.Length; i++)
            {
                weights[_adaptive[i]] = tensors[i];
            }
        }
        return _model.Decode(_model.Encode(input, weights), input, weights);
    }

    /// <summary>Scalars per user state.</summary>
    public long AdaptiveParameterCount =>
        _model.NamedParameters.Where(p => _adaptive.Contains(p.Name)).Sum(p => p.Parameter.numel());

    public void Dispose()
    {
        _offline.Dispose();
        _online?.Dispose();
    }
}
