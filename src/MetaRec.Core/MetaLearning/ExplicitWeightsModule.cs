using MetaRec.Abstractions;
using MetaRec.Core.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>
/// Base of networks whose forward takes explicit weights: keeps parameters by checkpoint name
/// in registration order, registers them with the module, and provides the building blocks
/// model families share: the catalogue's item features as a buffer, the categorical user-field
/// tables, and the functional layers (dense, averaged projection, the fc1 → fc2 → out MLP).
/// Buffers and parameters are released with the module (<c>Module.Dispose(bool)</c>).
/// </summary>
public abstract class ExplicitWeightsModule(string name) : nn.Module(name)
{
    private readonly List<(string Name, Parameter Parameter)> _named = [];
    private Tensor? _itemFeatures;

    /// <summary>Every trainable parameter by its checkpoint name, in registration order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => _named;

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    protected Parameter this[string name] => _named.First(p => p.Name == name).Parameter;

    /// <summary>(items, item features) multi-hot rows of the catalogue, set by <see cref="AddItemFeatures"/>.</summary>
    protected Tensor ItemFeatures => _itemFeatures ?? throw new InvalidOperationException($"{GetName()} has no item features; call AddItemFeatures in its constructor");

    /// <summary>Checkpoint name of user field <paramref name="index"/>'s embedding table.</summary>
    public static string UserField(int index) => $"user_field_{index}";

    /// <summary>Whether <paramref name="name"/> is one of the user-field tables <see cref="AddUserFields"/> registers.</summary>
    public static bool IsUserField(string name) => name.StartsWith("user_field_", StringComparison.Ordinal);

    /// <summary>Every parameter by its checkpoint name, as the dictionary the functional forward takes.</summary>
    public Dictionary<string, Tensor> Weights() => ByName(_named);

    /// <summary><paramref name="parameters"/> as a dictionary by checkpoint name.</summary>
    public static Dictionary<string, Tensor> ByName(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var weights = new Dictionary<string, Tensor>(parameters.Count, StringComparer.Ordinal);
        foreach (var (name, parameter) in parameters)
        {
            weights[name] = parameter;
        }
        return weights;
    }

    /// <summary>
    /// The user's field embeddings, one (tasks, dim) row set per field of the (tasks, fields)
    /// <paramref name="fields"/>, in field order.
    /// </summary>
    public static IEnumerable<Tensor> UserFieldRows(IReadOnlyDictionary<string, Tensor> weights, Tensor fields)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(fields);
        for (var f = 0; f < fields.shape[1]; f++)
        {
            yield return weights[UserField(f)].index_select(0, fields.select(1, f));
        }
    }

    /// <summary>
    /// (…, in) → (…): the fc1 → ReLU → fc2 → ReLU → out click MLP over "{fc1,fc2,out}_{weight,bias}"
    /// of <paramref name="weights"/>, shared weights (in, out) or per task (tasks, in, out).
    /// </summary>
    public static Tensor ReluMlp(Tensor x, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var h = nn.functional.relu(Linear(x, weights["fc1_weight"], weights["fc1_bias"]));
        h = nn.functional.relu(Linear(h, weights["fc2_weight"], weights["fc2_bias"]));
        return Linear(h, weights["out_weight"], weights["out_bias"]).squeeze(-1);
    }

    /// <summary>
    /// x (tasks, length, in) · W (in, out) or (tasks, in, out) + b (out) or (tasks, out) as one
    /// fused op: baddbmm for per-task weights (TorchSharp's instance form is
    /// <c>batch1.baddbmm(batch2, input)</c>), addmm over the flattened rows for shared ones.
    /// beta and alpha are plain floats, so no temporary Scalar is made (see <see cref="Scalars"/>).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.dim() == 3)
        {
            return x.baddbmm(weight, bias.dim() == 2 ? bias.unsqueeze(1) : bias);
        }
        if (bias.dim() == 2)
        {
            return matmul(x, weight).add(bias.unsqueeze(1), Scalars.One);
        }
        return addmm(bias, x.reshape(-1, x.shape[^1]), weight, 1, 1).view(x.shape[0], x.shape[1], -1);
    }

    /// <summary>
    /// (…, features) multi-hot rows · (features, dim) projection, divided by each row's number of
    /// active features (at least 1): the average of the active features' embeddings.
    /// </summary>
    public static Tensor AverageProjection(Tensor features, Tensor projection)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(projection);
        return matmul(features, projection) / features.sum(-1, keepdim: true).clamp_min(Scalars.One);
    }

    /// <summary>Keeps the catalogue's item features as a non-persistent buffer (<see cref="ItemFeatures"/>), released with the module.</summary>
    protected void AddItemFeatures(Catalogue catalogue)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        var schema = catalogue.Schema;
        var features = tensor(catalogue.ItemFeatures, [schema.ItemCount, schema.ItemFeatureCount]);
        features.DetachFromDisposeScope();
        register_buffer("item_features", features, persistent: false);
        _itemFeatures = features;
    }

    /// <summary>Registers one (cardinality, dim) table per user field, N(0, 0.1²), named by <see cref="UserField"/>.</summary>
    protected void AddUserFields(FeatureSchema schema, int dim)
    {
        ArgumentNullException.ThrowIfNull(schema);
        for (var f = 0; f < schema.UserFieldCount; f++)
        {
            AddParameter(UserField(f), empty(schema.UserFieldCardinalities[f], dim).normal_(0, 0.1));
        }
    }

    /// <summary>
    /// Registers "{name}_weight" (inputs, outputs) and "{name}_bias" (outputs), uniform in
    /// ±1/√inputs, drawn from <paramref name="random"/> (libtorch's global generator when null).
    /// </summary>
    protected void AddLinear(string name, int inputs, int outputs, Generator? random = null)
    {
        var bound = 1f / MathF.Sqrt(inputs);
        AddParameter($"{name}_weight", empty(inputs, outputs).uniform_(-bound, bound, random));
        AddParameter($"{name}_bias", empty(outputs).uniform_(-bound, bound, random));
    }

    /// <summary>Registers a parameter holding <paramref name="initial"/>'s values, outside any dispose scope.</summary>
    protected void AddParameter(string name, Tensor initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        var parameter = new Parameter(initial.detach().contiguous(), requires_grad: true);
        parameter.DetachFromDisposeScope();
        register_parameter(name, parameter);
        _named.Add((name, parameter));
    }
}
