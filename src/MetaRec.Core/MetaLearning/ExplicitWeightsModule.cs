using MetaRec.Core.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>
/// Base of networks whose forward takes explicit weights: keeps parameters by checkpoint name
/// in registration order, registers them with the module, and provides the functional layers
/// model families share.
/// </summary>
public abstract class ExplicitWeightsModule(string name) : nn.Module(name)
{
    private readonly List<(string Name, Parameter Parameter)> _named = [];

    /// <summary>Every trainable parameter by its checkpoint name, in registration order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => _named;

    /// <summary>The parameter called <paramref name="name"/>.</summary>
    protected Parameter this[string name] => _named.First(p => p.Name == name).Parameter;

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

    /// <summary>Registers "{name}_weight" (inputs, outputs) and "{name}_bias" (outputs), uniform in ±1/√inputs.</summary>
    protected void AddLinear(string name, int inputs, int outputs)
    {
        var bound = 1f / MathF.Sqrt(inputs);
        AddParameter($"{name}_weight", empty(inputs, outputs).uniform_(-bound, bound));
        AddParameter($"{name}_bias", empty(outputs).uniform_(-bound, bound));
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
