using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;
using Adam = MetaRec.Core.Optimization.Adam;

namespace MetaRec.Plugins.Asmg;

/// <summary>
/// ASMG's base model, an embedding-MLP click model. An item is [item embedding ‖ category
/// embedding] (the category embedding is the mean of the item's genre embeddings); the user's
/// history is the mean of that over the user's last <c>history</c> positive items (the support
/// set); the user is the concatenation of its field embeddings (the incremental protocol gives
/// one field, the user id). [user ‖ history ‖ target item] → hidden1 → hidden2 → 1, ReLU, and a
/// sigmoid for the click probability, trained with binary cross-entropy on the query examples.
/// A user's state is the history vector (2 × dim floats), so serving needs no item ids per user.
/// </summary>
internal sealed class AsmgModel : ExplicitWeightsModule, IRecModel
{
    public const string FamilyName = "asmg";

    /// <summary>Made on the first training step: a generated or served model never trains, and Adam's moments are two more copies of every parameter.</summary>
    private Adam? _optimizer;

    public AsmgModel(AsmgSettings settings, Catalogue catalogue)
        : base(nameof(AsmgModel))
    {
        Settings = settings;
        Catalogue = catalogue;
        using var scope = NewDisposeScope();
        var schema = catalogue.Schema;
        var dim = settings.Dim;
        AddItemFeatures(catalogue);
        AddUserFields(schema, dim);
        AddParameter("item_embedding", empty(schema.ItemCount, dim).normal_(0, 0.1));
        AddParameter("category_embedding", empty(Math.Max(1, schema.ItemFeatureCount), dim).normal_(0, 0.1));
        AddLinear("fc1", dim * (schema.UserFieldCount + 4), settings.Hidden1);
        AddLinear("fc2", settings.Hidden1, settings.Hidden2);
        AddLinear("out", settings.Hidden2, 1);
        Info = new ModelInfo(FamilyName, NamedParameters.Sum(p => p.Parameter.numel()), StateSize, settings.Effective);
    }

    public ModelInfo Info { get; }

    public Catalogue Catalogue { get; }

    public AsmgSettings Settings { get; }

    /// <summary>Floats in a user's state: the history vector.</summary>
    public int StateSize => 2 * Settings.Dim;

    /// <summary>
    /// Whether parameter <paramref name="name"/> is an embedding table (one row per user-field
    /// value, item or category), as opposed to a dense layer's weight or bias.
    /// </summary>
    public static bool IsTable(string name) => name.EndsWith("_embedding", StringComparison.Ordinal) || IsUserField(name);

    public float Train(IReadOnlyList<UserTask> batch, TrainStage stage)
    {
        Catalogue.CheckOfflineTraining(batch, stage, FamilyName, "it is updated period by period");
        using var scope = NewDisposeScope();
        var loss = Loss(Weights(), Batch(batch));
        _optimizer ??= new Adam(NamedParameters.Select(p => p.Parameter), Settings.LearningRate, Settings.WeightDecay);
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.Step();
        return loss.item<float>();
    }

    /// <summary>The history vector of the user's last positive support items (zeros without any).</summary>
    public UserState Adapt(UserTask user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Catalogue.CheckUser(user.UserFields, user.Support.Select(e => e.Item), user.UserId);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var input = Batch([user with { Query = [] }]);
        return new UserState(History(Weights(), input.History, input.HistoryMask).reshape(-1).ToFloatArray());
    }

    public float[] Score(int[] userFields, UserState? state, int[] items)
    {
        if (!Catalogue.CheckScoring(userFields, state, StateSize, items))
        {
            return [];
        }
        // Each distinct item is scored once, so a repeated item gets the very same score
        // (vectorised kernels may round rows differently by their position in a block).
        var distinct = items.Distinct().ToArray();
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var fields = tensor(userFields.Select(f => (long)f).ToArray(), [1, userFields.Length]);
        var history = state is null ? zeros(1, StateSize) : tensor(state.Values, [1, StateSize]);
        var logits = Logits(Weights(), fields, history, tensor(distinct.Select(i => (long)i).ToArray(), [1, distinct.Length]));
        var scores = sigmoid(logits).reshape(-1).ToFloatArray();
        if (distinct.Length == items.Length)
        {
            return scores;
        }
        var byItem = new Dictionary<int, float>(distinct.Length);
        for (var i = 0; i < distinct.Length; i++)
        {
            byItem[distinct[i]] = scores[i];
        }
        return [.. items.Select(i => byItem[i])];
    }

    public void Save(Stream stream) =>
        ModelCheckpoint.Write(stream, new CheckpointContents(FamilyName, Settings.Effective, Catalogue, ParameterCopy.Export(NamedParameters)));

    /// <summary>
    /// Tasks as tensors: each task's query examples are scored; its history is its last
    /// <c>history</c> positive support examples.
    /// </summary>
    public TaskTensors Batch(IReadOnlyList<UserTask> tasks)
    {
        var limit = Settings.History;
        return TaskTensors.Build([.. tasks.Select(t => t with { Support = LastPositives(t.Support, limit) })], t => t.Query);
    }

    /// <summary>Mean binary cross-entropy over the real query examples of <paramref name="input"/> with <paramref name="weights"/>.</summary>
    public Tensor Loss(IReadOnlyDictionary<string, Tensor> weights, TaskTensors input)
    {
        var history = History(weights, input.History, input.HistoryMask);
        var logits = Logits(weights, input.UserFields, history, input.Items);
        var perExample = nn.functional.binary_cross_entropy_with_logits(logits, input.Labels, reduction: nn.Reduction.None);
        return (perExample * input.Mask).sum() / input.Mask.sum().clamp_min(Scalars.One);
    }

    /// <summary>Copies <paramref name="weights"/> (by name, every parameter) into this model.</summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in NamedParameters)
        {
            if (!weights.TryGetValue(name, out var value) || !value.shape.SequenceEqual(parameter.shape))
            {
                throw new ArgumentException($"weights for '{name}' are missing or of another shape", nameof(weights));
            }
            parameter.copy_(value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer?.Dispose();
        }
        base.Dispose(disposing);
    }

    private static List<Example> LastPositives(IReadOnlyList<Example> support, int limit)
    {
        var kept = new List<Example>(Math.Min(limit, support.Count));
        for (var i = support.Count - 1; i >= 0 && kept.Count < limit; i--)
        {
            if (support[i].Label > 0)
            {
                kept.Add(support[i]);
            }
        }
        kept.Reverse();
        return kept;
    }

    /// <summary>(…) item indices → (…, 2 × dim) [item ‖ category] vectors.</summary>
    private Tensor Items(IReadOnlyDictionary<string, Tensor> weights, Tensor items)
    {
        var flat = items.reshape(-1);
        var item = weights["item_embedding"].index_select(0, flat);
        var category = Catalogue.Schema.ItemFeatureCount > 0
            ? AverageProjection(ItemFeatures.index_select(0, flat), weights["category_embedding"])
            : zeros_like(item);
        var shape = items.shape.Append(-1).ToArray();
        return cat([item, category], -1).view(shape);
    }

    /// <summary>(tasks, 2 × dim) masked mean of the history items' vectors; zeros for an empty history.</summary>
    private Tensor History(IReadOnlyDictionary<string, Tensor> weights, Tensor history, Tensor mask)
    {
        var vectors = Items(weights, history) * mask.unsqueeze(-1);
        return vectors.sum(1) / mask.sum(1, keepdim: true).clamp_min(Scalars.One);
    }

    /// <summary>(tasks, length) logits for users with (tasks, fields) fields and (tasks, 2 × dim) histories.</summary>
    private Tensor Logits(IReadOnlyDictionary<string, Tensor> weights, Tensor fields, Tensor history, Tensor items)
    {
        long tasks = items.shape[0], length = items.shape[1];
        var user = cat([.. UserFieldRows(weights, fields), history], -1).unsqueeze(1).expand(tasks, length, -1);
        return ReluMlp(cat([user, Items(weights, items)], -1), weights);
    }
}
