using TorchSharp;

namespace MetaRec.Core.Tensors;

/// <summary>
/// Scalars that live for the whole process. TorchSharp 0.107 turns numbers into native
/// <see cref="Scalar"/> objects that no dispose scope tracks and whose finalizer frees them; a
/// temporary one (as in <c>a + b</c>, which is <c>a.add(b, 1)</c>) can be finalized while
/// native code still reads it, seen here as "Unknown scalar type" crashes under load. Hot
/// paths therefore pass these rooted scalars explicitly: <c>a.add(b, Scalars.One)</c>.
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1f.ToScalar();
}
