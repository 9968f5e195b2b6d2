using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Configuration;
using MetaRec.Core.Data;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;
using Adam = MetaRec.Core.Optimization.Adam;

namespace MetaRec.Plugins.LiMaml;

/// <summary>
/// The wide-and-deep ID-personalization baseline of the LiMAML paper, no meta learning. Deep:
/// a user-id embedding learned jointly (hashed into <c>user_buckets</c> rows, zero-initialised),
/// the user-field embeddings and the item features through a ReLU MLP. Wide: an item bias and a
/// user-id bias. A user's state is its id row (embedding and bias); a user never trained on has
/// an all-zero row, the "untrained id embedding" of a cold user (hash collisions with a trained
/// user are possible, at about users / buckets).
/// </summary>
internal sealed class WideDeepModel : ExplicitWeightsModule, IRecModel
{
    public const string FamilyName = "wide-deep";

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly int _buckets;
    private readonly int _idSize;
    private readonly Adam _optimizer;

    public WideDeepModel(IReadOnlyDictionary<string, string> given, Catalogue catalogue)
        : base(nameof(WideDeepModel))
    {
        var reader = new SettingsReader(given);
        var dim = reader.Int("dim", 32, 1, 1024);
        _idSize = reader.Int("embedding_size", 32, 1, 4096);
        _buckets = reader.Int("user_buckets", 32768, 1, 1 << 24);
        var hidden1 = reader.Int("hidden1", 64, 1, 4096);
        var hidden2 = reader.Int("hidden2", 64, 1, 4096);
        var learningRate = reader.Float("outer_lr", 1e-3f, 1e-7f, 1);
        reader.ThrowOnUnknown();
        _settings = reader.Effective;
        Catalogue = catalogue;

        using var scope = NewDisposeScope();
        var schema = catalogue.Schema;
        AddItemFeatures(catalogue);
        AddParameter("user_id_embedding", zeros(_buckets, _idSize + 1)); // last column: the wide user-id bias
        AddParameter("item_bias", zeros(schema.ItemCount));
        AddParameter("item_embedding", empty(schema.ItemCount, dim).normal_(0, 0.1));
        AddParameter("item_feature_projection", empty(Math.Max(1, schema.ItemFeatureCount), dim).normal_(0, 0.1));
        AddUserFields(schema, dim);
        AddLinear("fc1", _idSize + (dim * (2 + schema.UserFieldCount)), hidden1);
        AddLinear("fc2", hidden1, hidden2);
        AddLinear("out", hidden2, 1);
        _optimizer = new Adam(NamedParameters.Select(p => p.Parameter), learningRate);
        Info = new ModelInfo(FamilyName, NamedParameters.Sum(p => p.Parameter.numel()), _idSize + 1, _settings);
    }

    public ModelInfo Info { get; }

    public Catalogue Catalogue { get; }

    public float Train(IReadOnlyList<UserTask> batch, TrainStage stage)
    {
        Catalogue.CheckOfflineTraining(batch, stage, FamilyName);
        using var scope = NewDisposeScope();
        var all = TaskTensors.All(batch);
        var rows = this["user_id_embedding"].index_select(0, tensor(batch.Select(t => Bucket(t.UserId)).ToArray()));
        var loss = Maml.TaskLosses(Logits(all, rows), all).mean();
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.Step();
        return loss.item<float>();
    }

    /// <summary>The user's id row (embedding and wide bias): zeros for a user never trained on.</summary>
    public UserState Adapt(UserTask user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Catalogue.CheckUser(user.UserFields, user.Support.Select(e => e.Item), user.UserId);
        using var scope = NewDisposeScope();
        return new UserState(this["user_id_embedding"][Bucket(user.UserId)].detach().ToFloatArray());
    }

    public float[] Score(int[] userFields, UserState? state, int[] items)
    {
        if (!Catalogue.CheckScoring(userFields, state, _idSize + 1, items))
        {
            return [];
        }
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var row = state is null ? zeros(1, _idSize + 1) : tensor(state.Values).view(1, -1);
        return sigmoid(Logits(TaskTensors.ForScoring(userFields, items), row)).reshape(-1).ToFloatArray();
    }

    public void Save(Stream stream) =>
        ModelCheckpoint.Write(stream, new CheckpointContents(FamilyName, _settings, Catalogue, ParameterCopy.Export(NamedParameters)));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Stable bucket of a user id (FNV-1a over UTF-8).</summary>
    private int Bucket(string userId) => StableHash.Bucket(userId, _buckets);

    /// <summary>(tasks, length) logits from (tasks, idSize + 1) id rows.</summary>
    private Tensor Logits(TaskTensors input, Tensor idRows)
    {
        long tasks = input.Tasks, length = input.Length;
        var flat = input.Items.reshape(-1);
        var features = ItemFeatures.index_select(0, flat).view(tasks, length, -1);
        var weights = Weights();
        var parts = new List<Tensor>
        {
            idRows.narrow(1, 0, _idSize).unsqueeze(1).expand(tasks, length, -1),
            weights["item_embedding"].index_select(0, flat).view(tasks, length, -1),
        };
        parts.Add(Catalogue.Schema.ItemFeatureCount > 0
            ? AverageProjection(features, weights["item_feature_projection"])
            : zeros(tasks, length, weights["item_feature_projection"].shape[1]));
        parts.AddRange(UserFieldRows(weights, input.UserFields).Select(rows => rows.unsqueeze(1).expand(tasks, length, -1)));
        var deep = ReluMlp(cat(parts, -1), weights);
        var wide = weights["item_bias"].index_select(0, flat).view(tasks, length).add(idRows.narrow(1, _idSize, 1), Scalars.One);
        return deep.add(wide, Scalars.One);
    }

}
