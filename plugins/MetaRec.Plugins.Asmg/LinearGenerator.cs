using static TorchSharp.torch;

namespace MetaRec.Plugins.Asmg;

/// <summary>
/// The ASMG-Linear baseline: the serving model is a learned weighted sum of the last k period
/// models, with k weights per base parameter (initialised to 1/k), trained on the period after
/// the window like the GRU. It carries no state between periods.
/// </summary>
internal sealed class LinearGenerator : ParameterGenerator
{
    public const string Family = "asmg-linear";

    private readonly Dictionary<string, Tensor> _mix = [];

    public LinearGenerator(GeneratorSettings settings, AsmgModel template)
        : base(nameof(LinearGenerator), settings, template)
    {
        using var scope = NewDisposeScope();
        foreach (var grid in Grids)
        {
            _mix[grid.Name] = AddWeight($"{grid.Name}.mix", tensor(Enumerable.Repeat(1f / settings.Window, settings.Window).ToArray()));
        }
    }

    public override string FamilyName => Family;

    protected override IReadOnlyList<Dictionary<string, Tensor>> Outputs(IReadOnlyList<Dictionary<string, Tensor>> inputs)
    {
        var output = new Dictionary<string, Tensor>();
        foreach (var grid in Grids)
        {
            var stacked = stack(inputs.Select(i => i[grid.Name]).ToArray());
            output[grid.Name] = (stacked * _mix[grid.Name].view(-1, 1, 1)).sum(dim: 0).view(grid.Shape);
        }
        return [output];
    }

    protected override void Advance(Dictionary<string, Tensor> first)
    {
    }
}
