using TorchSharp;

namespace MetaRec.Plugins.Vq.Network;

/// <summary>Scalars that live for the process, for the reason <see cref="Core.Tensors.Scalars"/> gives.</summary>
internal static class Rooted
{
    /// <summary>Integral zero, for index tensors.</summary>
    public static readonly Scalar IndexZero = 0L.ToScalar();

    /// <summary>Integral one, for index tensors.</summary>
    public static readonly Scalar IndexOne = 1L.ToScalar();
}
