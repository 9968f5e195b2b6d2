namespace MetaRec.Core.Tensors;

/// <summary>
/// Builds a network from a seed. Layer initialisers draw from libtorch's process-wide
/// generator, so two models seeded and built at the same time on two threads would draw from
/// each other's stream and come out different on every run. Seeding and building happen here
/// under one lock, so a seed gives the same weights however many models are built at once.
/// The lock guards only draws made through it: a draw from the global generator elsewhere
/// (an unseeded <c>rand</c>, a dropout mask in training) can still land inside a build, so
/// seeded set-up anywhere in the process goes through <see cref="Build{T}"/>.
/// </summary>
public static class SeededInit
{
    private static readonly Lock Gate = new();

    /// <summary>Seeds the global generator and runs <paramref name="build"/>, neither interleaved with another thread's.</summary>
    public static T Build<T>(int seed, Func<T> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        lock (Gate)
        {
            TorchSharp.torch.random.manual_seed(seed);
            return build();
        }
    }
}
