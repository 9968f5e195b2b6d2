using MetaRec.Core.MetaLearning;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaRec.Core.Tests.MetaLearning;

/// <summary>A two-part functional model small enough to check by hand: logit = emb[item] · w + b.</summary>
internal sealed class TinyModel : IFunctionalModel, IDisposable
{
    private readonly List<(string Name, Parameter Parameter)> _parameters;

    public TinyModel(float[,] embedding, float[] w, float b)
    {
        var rows = embedding.GetLength(0);
        var dim = embedding.GetLength(1);
        _parameters =
        [
            ("emb", new Parameter(tensor(embedding.Cast<float>().ToArray(), [rows, dim]), requires_grad: true)),
            ("w", new Parameter(tensor(w, [dim, 1]), requires_grad: true)),
            ("b", new Parameter(tensor(new[] { b }), requires_grad: true)),
        ];
    }

    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters => _parameters;

    public Parameter this[string name] => _parameters.Single(p => p.Name == name).Parameter;

    public bool IsEncoderParameter(string name) => name == "emb";

    public Tensor Encode(TaskTensors input, IReadOnlyDictionary<string, Tensor> weights) =>
        weights["emb"].index_select(0, input.Items.reshape(-1)).view(input.Tasks, input.Length, -1);

    public Tensor Decode(Tensor encoded, TaskTensors input, IReadOnlyDictionary<string, Tensor> weights)
    {
        var b = weights["b"];
        return matmul(encoded, weights["w"]).squeeze(-1) + (b.dim() == 2 ? b : b.unsqueeze(0));
    }

    public void Dispose()
    {
        foreach (var (_, parameter) in _parameters)
        {
            parameter.Dispose();
        }
    }
}
