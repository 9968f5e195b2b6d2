using static TorchSharp.torch;

namespace MetaRec.Plugins.Asmg;

/// <summary>
/// ASMG's generator: an element-wise GRU with hidden size H over each base parameter's values in
/// the last k period models. For an element with value x and hidden state h (H floats):
/// z = σ(x·u_z + h·W_z), r = σ(x·u_r + h·W_r), h̃ = tanh(x·u_g + (r⊙h)·W_g),
/// h' = (1 − z)⊙h + z⊙h̃, and the generated value is w·h' + b. A dense layer's elements each
/// have their own GRU weights; an embedding table's weights are per embedding dimension, shared
/// by its rows, with a hidden state per row and dimension. All elements run batched.
/// Sequences are truncated to the window; the hidden state before the window's first model is
/// the stored, detached one from the previous period (zeros at first).
/// Initialisation (ours; the paper does not fix it): gate weights near zero, so z = r = ½, and
/// the candidate reads x through hidden unit 0 with scale <c>init_scale</c> (s) and the output
/// reads it back with 1/s: the untrained generator outputs about an exponential moving average
/// of the recent models (weights ½, ¼, ⅛, …), which training then reshapes.
/// </summary>
internal sealed class GruGenerator : ParameterGenerator
{
    public const string Family = "asmg-gru";

    private readonly Dictionary<string, (Tensor U, Tensor W, Tensor Out, Tensor Bias)> _gru = [];

    public GruGenerator(GeneratorSettings settings, AsmgModel template)
        : base(nameof(GruGenerator), settings, template)
    {
        using var scope = NewDisposeScope();
        var hidden = settings.Hidden;
        foreach (var grid in Grids)
        {
            var columns = grid.Columns;
            var u = empty(3, columns, hidden).normal_(0, 0.01);
            u[2].select(1, 0).fill_(settings.InitScale);
            var w = empty(3, columns, hidden, hidden).normal_(0, 0.01);
            var output = empty(columns, hidden).normal_(0, 0.01);
            output.select(1, 0).fill_(1f / settings.InitScale);
            _gru[grid.Name] = (
                AddWeight($"{grid.Name}.u", u),
                AddWeight($"{grid.Name}.w", w),
                AddWeight($"{grid.Name}.out", output),
                AddWeight($"{grid.Name}.bias", zeros(columns)));
            SetState(grid.Name, zeros(grid.Rows, columns, hidden));
        }
    }

    public override string FamilyName => Family;

    protected override IReadOnlyList<Dictionary<string, Tensor>> Outputs(IReadOnlyList<Dictionary<string, Tensor>> inputs)
    {
        var outputs = inputs.Select(_ => new Dictionary<string, Tensor>()).ToList();
        foreach (var grid in Grids)
        {
            var (_, _, output, bias) = _gru[grid.Name];
            var h = GetState(grid.Name);
            for (var step = 0; step < inputs.Count; step++)
            {
                h = Step(grid.Name, inputs[step][grid.Name], h);
                outputs[step][grid.Name] = (h * output).sum(-1).add(bias).view(grid.Shape);
            }
        }
        return outputs;
    }

    protected override void Advance(Dictionary<string, Tensor> first)
    {
        foreach (var grid in Grids)
        {
            SetState(grid.Name, Step(grid.Name, first[grid.Name], GetState(grid.Name)));
        }
    }

    /// <summary>One GRU step for every element of a grid: x (rows, columns), h (rows, columns, H).</summary>
    private Tensor Step(string name, Tensor x, Tensor h)
    {
        var (u, w, _, _) = _gru[name];
        var xs = x.unsqueeze(-1);
        Tensor Recurrent(int gate, Tensor state) => matmul(state.unsqueeze(-2), w[gate]).squeeze(-2);
        var z = sigmoid(xs * u[0] + Recurrent(0, h));
        var r = sigmoid(xs * u[1] + Recurrent(1, h));
        var candidate = tanh(xs * u[2] + Recurrent(2, r * h));
        return h + (z * (candidate - h));
    }
}
