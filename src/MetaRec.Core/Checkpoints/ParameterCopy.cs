using MetaRec.Core.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaRec.Core.Checkpoints;

/// <summary>Copies parameters to and from checkpoint tensors, checking names and shapes.</summary>
public static class ParameterCopy
{
    public static IReadOnlyList<NamedTensor> Export(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        return [.. parameters.Select(p => new NamedTensor(
            p.Name,
            p.Parameter.shape,
            p.Parameter.detach().ToFloatArray()))];
    }

    /// <summary>
    /// Overwrites every parameter with the checkpoint tensor of the same name.
    /// </summary>
    /// <exception cref="InvalidDataException">A name is missing or extra, or a shape differs.</exception>
    public static void Import(IEnumerable<(string Name, Parameter Parameter)> parameters, IReadOnlyList<NamedTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var targets = parameters.ToList();
        var extra = byName.Keys.Except(targets.Select(t => t.Name)).ToList();
        if (extra.Count > 0)
        {
            throw new InvalidDataException($"checkpoint has tensors the model does not: {string.Join(", ", extra)}");
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in targets)
        {
            if (!byName.TryGetValue(name, out var source))
            {
                throw new InvalidDataException($"checkpoint lacks tensor '{name}'");
            }
            if (!source.Shape.SequenceEqual(parameter.shape))
            {
                throw new InvalidDataException(
                    $"tensor '{name}' has shape [{string.Join(", ", source.Shape)}] in the checkpoint, [{string.Join(", ", parameter.shape)}] in the model");
            }
            parameter.copy_(tensor(source.Values).view(source.Shape));
        }
    }
}
