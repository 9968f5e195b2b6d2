using MetaRec.Abstractions;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Plugins.LiMaml;

/// <summary>
/// LiMAML's network. Item side (encoder, fixed): item id embedding and averaged genre
/// projection. Meta block (user side, adapted per user): the user's categorical field
/// embeddings and the mean embedding of its history items, through meta_fc1 (ReLU) and
/// meta_fc2 to the meta embedding (embeddingSize floats). Global block (shared): the meta
/// embedding beside the item features through fc1, fc2 (ReLU) and a logit.
/// Parameter names are checkpoint keys.
/// </summary>
internal sealed class LiMamlNetwork : ExplicitWeightsModule, IFunctionalModel
{
    public const string ItemEmbedding = "item_embedding";
    public const string ItemFeatureProjection = "item_feature_projection";

    /// <summary>The meta block's layers: the parameters adapted per user.</summary>
    public static readonly string[] MetaLayers = ["meta_fc1", "meta_fc2"];

    public LiMamlNetwork(Catalogue catalogue, int dim, int metaHidden, int embeddingSize, int hidden1, int hidden2)
        : base(nameof(LiMamlNetwork))
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        using var scope = NewDisposeScope();
        var schema = catalogue.Schema;
        AddItemFeatures(catalogue);
        EmbeddingSize = embeddingSize;

        AddParameter(ItemEmbedding, empty(schema.ItemCount, dim).normal_(0, 0.1));
        var itemWidth = dim;
        if (schema.ItemFeatureCount > 0)
        {
            AddParameter(ItemFeatureProjection, empty(schema.ItemFeatureCount, dim).normal_(0, 0.1));
            itemWidth += dim;
        }
        AddUserFields(schema, dim);
        AddLinear("meta_fc1", dim * (schema.UserFieldCount + 1), metaHidden);
        AddLinear("meta_fc2", metaHidden, embeddingSize);
        AddLinear("fc1", embeddingSize + itemWidth, hidden1);
        AddLinear("fc2", hidden1, hidden2);
        AddLinear("out", hidden2, 1);
    }

    public int EmbeddingSize { get; }

    public bool IsEncoderParameter(string name) => name is ItemEmbedding or ItemFeatureProjection;

    /// <summary>(tasks, length) items -> (tasks, length, item width) item features.</summary>
    public Tensor Encode(TaskTensors input, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(input);
        return EncodeItems(input.Items.reshape(-1), weights).view(input.Tasks, input.Length, -1);
    }

    /// <summary>(n) item indices -> (n, item width) item features.</summary>
    public Tensor EncodeItems(Tensor items, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(weights);
        var item = weights[ItemEmbedding].index_select(0, items);
        if (!weights.TryGetValue(ItemFeatureProjection, out var projection))
        {
            return item;
        }
        var features = ItemFeatures.index_select(0, items);
        var genres = AverageProjection(features, projection);
        return cat([item, genres], -1);
    }

    /// <summary>
    /// (items, hidden1): the item half of fc1 for every catalogue item, x·W1[E:] + b1. It does
    /// not depend on the user, so serving computes it once per set of weights; with it, a
    /// user's scores need one (1, E)·(E, hidden1) product and the two small layers.
    /// </summary>
    public Tensor CatalogueItemSide(IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var encoded = EncodeItems(arange(ItemFeatures.shape[0], dtype: ScalarType.Int64), weights);
        var w1 = weights["fc1_weight"];
        return addmm(weights["fc1_bias"], encoded, w1.narrow(0, EmbeddingSize, w1.shape[0] - EmbeddingSize), 1, 1);
    }

    /// <summary>
    /// (1, embedding) meta embedding and (n, hidden1) rows of <see cref="CatalogueItemSide"/>
    /// -> (n) logits; equal to <see cref="Global"/> on those items up to float rounding.
    /// </summary>
    public static Tensor GlobalFromItemSide(Tensor embedding, Tensor itemSide, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(itemSide);
        ArgumentNullException.ThrowIfNull(weights);
        var w1 = weights["fc1_weight"];
        var user = matmul(embedding, w1.narrow(0, 0, embedding.shape[1])); // (1, hidden1)
        // In place where possible: each (items, hidden) temporary is megabytes for a full catalogue.
        var h = itemSide.add(user, Scalars.One).relu_();
        h = addmm(weights["fc2_bias"], h, weights["fc2_weight"], 1, 1).relu_();
        return addmm(weights["out_bias"], h, weights["out_weight"], 1, 1).reshape(-1);
    }

    /// <summary>(tasks, length) logits: the meta block's embedding, then the global block.</summary>
    public Tensor Decode(Tensor encoded, TaskTensors input, IReadOnlyDictionary<string, Tensor> weights) =>
        Global(MetaEmbedding(input, weights), encoded, weights);

    /// <summary>
    /// (tasks, embedding) meta embeddings from user fields and history. Meta-block weights are
    /// shared (in, out) or per task (tasks, in, out).
    /// </summary>
    public Tensor MetaEmbedding(TaskTensors input, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weights);
        var parts = UserFieldRows(weights, input.UserFields).ToList();
        var historyItems = weights[ItemEmbedding].index_select(0, input.History.reshape(-1)).view(input.Tasks, input.History.shape[1], -1);
        var mask = input.HistoryMask.unsqueeze(-1);
        parts.Add((historyItems * mask).sum(1) / mask.sum(1).clamp_min(Scalars.One));
        var user = cat(parts, -1).unsqueeze(1); // (tasks, 1, in)
        var hidden = nn.functional.relu(Linear(user, weights["meta_fc1_weight"], weights["meta_fc1_bias"]));
        return Linear(hidden, weights["meta_fc2_weight"], weights["meta_fc2_bias"]).squeeze(1);
    }

    /// <summary>(tasks, embedding) meta embeddings and (tasks, length, item width) features -> (tasks, length) logits.</summary>
    public Tensor Global(Tensor embedding, Tensor encoded, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(weights);
        return ReluMlp(cat([embedding.unsqueeze(1).expand(encoded.shape[0], encoded.shape[1], -1), encoded], -1), weights);
    }

}
