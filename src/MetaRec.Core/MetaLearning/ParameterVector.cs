using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>Moves groups of tensors to and from one flat float vector (a user's state).</summary>
public static class ParameterVector
{
    /// <summary>Concatenates the tensors' values, in order, into a managed array.</summary>
    public static float[] Flatten(IEnumerable<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var scope = NewDisposeScope();
        var parts = tensors.Select(t => t.detach().reshape(-1)).ToArray();
        return parts.Length == 0 ? [] : cat(parts).ToFloatArray();
    }

    /// <summary>
    /// Splits <paramref name="values"/> into tensors of the given shapes (in the current dispose scope).
    /// </summary>
    /// <exception cref="ArgumentException">The vector's length does not match the shapes.</exception>
    public static IReadOnlyList<Tensor> Unflatten(float[] values, IReadOnlyList<long[]> shapes)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shapes);
        var expected = shapes.Sum(s => s.Aggregate(1L, (a, b) => a * b));
        if (values.LongLength != expected)
        {
            throw new ArgumentException($"user state has {values.Length} values; this model's adaptive part has {expected}", nameof(values));
        }
        var flat = tensor(values);
        var result = new List<Tensor>(shapes.Count);
        long offset = 0;
        foreach (var shape in shapes)
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            result.Add(flat.narrow(0, offset, count).view(shape));
            offset += count;
        }
        return result;
    }
}
