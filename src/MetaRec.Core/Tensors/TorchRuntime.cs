using TorchSharp;

namespace MetaRec.Core.Tensors;

/// <summary>
/// One place that brings TorchSharp's native stack up: loads the backend, pins the intra-op
/// thread count and reports what it found. Call before any other tensor code.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static TorchRuntimeInfo? _info;

    /// <summary>
    /// Initialises the CPU backend once per process. <paramref name="threads"/> &gt; 0 sets
    /// libtorch's intra-op threads; 0 keeps libtorch's default (one per core). The default is 1:
    /// per-user models are small, and libtorch's OpenMP threads spin-wait, so when another
    /// process holds a core a multi-threaded libtorch slows down by 50x and more (measured
    /// here: the demo took 4.5 minutes with 2 threads beside one busy process, 4 seconds with 1).
    /// Later calls return the first result.
    /// </summary>
    public static TorchRuntimeInfo EnsureInitialized(int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        lock (Gate)
        {
            if (_info is { } existing)
            {
                return existing;
            }
            torch.InitializeDeviceType(DeviceType.CPU);
            if (threads > 0)
            {
                torch.set_num_threads(threads);
            }
            _info = new TorchRuntimeInfo(torch.__version__, torch.get_num_threads(), torch.cuda.is_available());
            return _info;
        }
    }
}

/// <summary>What <see cref="TorchRuntime.EnsureInitialized"/> found.</summary>
/// <param name="LibTorchVersion">libtorch's version string, e.g. "2.10.0".</param>
/// <param name="Threads">Intra-op threads libtorch uses.</param>
/// <param name="CudaAvailable">Whether a CUDA device is usable.</param>
public sealed record TorchRuntimeInfo(string LibTorchVersion, int Threads, bool CudaAvailable);
