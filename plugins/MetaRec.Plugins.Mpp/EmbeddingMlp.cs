using MetaRec.Abstractions;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Mpp;

/// <summary>
/// Embedding + MLP click-through network. Encoder: item id embedding, item features
/// (multi-hot genres) projected and averaged, one embedding per categorical user field,
/// concatenated: (tasks, length, dim × (2 + fields)). Decoder: an optional user vector
/// (userDim floats, appended to every example's features), two ReLU layers and a logit, plus
/// a scalar user bias. The user vector and bias exist to be adapted per user. Every layer has a functional form over explicit weights.
/// Parameter names are checkpoint keys: renaming one breaks saved models.
/// </summary>
internal sealed class EmbeddingMlp : ExplicitWeightsModule, IFunctionalModel
{
    public const string ItemEmbedding = "item_embedding";
    public const string ItemFeatureProjection = "item_feature_projection";
    public const string UserBias = "user_bias";
    public const string UserVector = "user_vector";

    /// <summary>Decoder layers, bottom to top; each has "{layer}_weight" (in, out) and "{layer}_bias" (out).</summary>
    public static readonly string[] Layers = ["fc1", "fc2", "out"];

    public EmbeddingMlp(Catalogue catalogue, int embeddingDim, int hidden1, int hidden2, int userDim)
        : base(nameof(EmbeddingMlp))
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        // Initial values are temporaries of this scope; parameters and the buffer are detached from it.
        using var scope = NewDisposeScope();
        var schema = catalogue.Schema;
        AddItemFeatures(catalogue);

        AddParameter(ItemEmbedding, empty(schema.ItemCount, embeddingDim).normal_(0, 0.1));
        if (schema.ItemFeatureCount > 0)
        {
            AddParameter(ItemFeatureProjection, empty(schema.ItemFeatureCount, embeddingDim).normal_(0, 0.1));
        }
        AddUserFields(schema, embeddingDim);
        var input = embeddingDim * (1 + (schema.ItemFeatureCount > 0 ? 1 : 0) + schema.UserFieldCount);
        if (userDim > 0)
        {
            AddParameter(UserVector, empty(userDim).normal_(0, 0.1));
        }
        AddLinear("fc1", input + userDim, hidden1);
        AddLinear("fc2", hidden1, hidden2);
        AddLinear("out", hidden2, 1);
        AddParameter(UserBias, zeros(1));
        InputWidth = input;
    }

    public int InputWidth { get; }

    public bool IsEncoderParameter(string name) =>
        name == ItemEmbedding || name == ItemFeatureProjection || IsUserField(name);

    /// <summary>(tasks, length) input -> (tasks, length, <see cref="InputWidth"/>) features.</summary>
    public Tensor Encode(TaskTensors input, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weights);
        long tasks = input.Tasks, length = input.Length;
        var flat = input.Items.reshape(-1);
        var parts = new List<Tensor> { weights[ItemEmbedding].index_select(0, flat).view(tasks, length, -1) };
        if (weights.TryGetValue(ItemFeatureProjection, out var projection))
        {
            var features = ItemFeatures.index_select(0, flat).view(tasks, length, -1);
            parts.Add(AverageProjection(features, projection));
        }
        parts.AddRange(UserFieldRows(weights, input.UserFields).Select(field => field.unsqueeze(1).expand(tasks, length, -1)));
        return cat(parts, -1);
    }

    /// <summary>(tasks, length, features) -> (tasks, length) logits; decoder weights shared or per task.</summary>
    public Tensor Decode(Tensor encoded, TaskTensors input, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.TryGetValue(UserVector, out var user))
        {
            // (dim) shared or (tasks, dim) per task -> (tasks, length, dim) beside the features.
            var perTask = user.dim() == 2 ? user.unsqueeze(1) : user.view(1, 1, -1);
            encoded = cat([encoded, perTask.expand(encoded.shape[0], encoded.shape[1], -1)], -1);
        }
        var h = nn.functional.relu(Linear(encoded, weights["fc1_weight"], weights["fc1_bias"]));
        h = nn.functional.relu(Linear(h, weights["fc2_weight"], weights["fc2_bias"]));
        var logits = Logit(h, weights["out_weight"], weights["out_bias"]);
        var bias = weights[UserBias];
        return logits.add(bias.dim() == 2 ? bias : bias.unsqueeze(0), Scalars.One);
    }

    /// <summary>
    /// (tasks, length, hidden) -> (tasks, length) logits of the one-column out layer: weight
    /// (hidden, 1) or (tasks, hidden, 1), bias (1) or (tasks, 1). Per-task weights multiply and
    /// sum: a bmm with a unit dimension runs about 40x below GEMM speed, and so does each of its
    /// backward products.
    /// </summary>
    private static Tensor Logit(Tensor h, Tensor weight, Tensor bias)
    {
        if (weight.dim() == 3)
        {
            return h.mul(weight.transpose(1, 2)).sum(-1).add(bias, Scalars.One);
        }
        return Linear(h, weight, bias).squeeze(-1);
    }

}
