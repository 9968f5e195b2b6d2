using System.Runtime.InteropServices;
using TorchSharp;

namespace MetaRec.Core.Tensors;

/// <summary>
/// One place that brings TorchSharp's native stack up: loads the backend (the NuGet libtorch,
/// or one from a folder), picks the device tensors are made on, pins the intra-op thread
/// count and reports what it found. Call before any other tensor code.
/// </summary>
public static class TorchRuntime
{
    /// <summary>
    /// The libraries of a libtorch build, in load order (each needs the ones before it). The
    /// CUDA ones are only in CUDA builds.
    /// </summary>
    private static readonly string[] CpuLibraries = ["libc10.so", "libtorch_cpu.so"];
    private static readonly string[] CudaLibraries = ["libc10_cuda.so", "libtorch_cuda.so"];
    private const string UmbrellaLibrary = "libtorch.so";

    private static readonly Lock Gate = new();
    private static TorchRuntimeInfo? _info;
    private static TorchBackend? _backend;

    /// <summary>
    /// Initialises the backend once per process. <paramref name="threads"/> &gt; 0 sets
    /// libtorch's intra-op threads; 0 keeps libtorch's default (one per core). The default is 1:
    /// per-user models are small, and libtorch's OpenMP threads spin-wait, so when another
    /// process holds a core a multi-threaded libtorch slows down by 50x and more (measured
    /// here: the demo took 4.5 minutes with 2 threads beside one busy process, 4 seconds with 1).
    /// <paramref name="backend"/> (default: the NuGet libtorch on the CPU) can name a libtorch
    /// folder and a CUDA device; with a CUDA device every tensor made without an explicit device
    /// lands on the GPU (<c>torch.set_default_device</c>), so models and their inputs follow
    /// without each naming the device.
    /// Later calls return the first result; asking for another backend then throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">The device or folder cannot be used; the message says why.</exception>
    public static TorchRuntimeInfo EnsureInitialized(int threads = 1, TorchBackend? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        lock (Gate)
        {
            if (_info is { } existing)
            {
                if (backend is not null && backend != _backend)
                {
                    throw new InvalidOperationException($"TorchSharp is already initialised for {_backend}; a process has one backend, so {backend} needs a new process");
                }
                return existing;
            }
            backend ??= TorchBackend.Default;
            var device = backend.ToDevice();
            if (backend.LibTorchFolder is { } folder)
            {
                LoadFrom(folder, cuda: device.type == DeviceType.CUDA);
            }
            if (device.type == DeviceType.CUDA)
            {
                InitializeCuda(device, backend);
                torch.set_default_device(device);
            }
            else
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            if (threads > 0)
            {
                torch.set_num_threads(threads);
            }
            _backend = backend;
            _info = new TorchRuntimeInfo(torch.__version__, torch.get_num_threads(), torch.cuda.is_available(), device.ToString(), LoadedFrom("libtorch_cpu.so") is { Count: > 0 } paths ? string.Join(" + ", paths) : null);
            return _info;
        }
    }

    /// <summary>
    /// Loads a libtorch build's libraries from <paramref name="folder"/> by full path, then
    /// TorchSharp's own <c>libLibTorchSharp.so</c>, whose dependencies the dynamic loader then
    /// finds among the libraries already loaded (it matches them by name). Linux only.
    /// </summary>
    private static void LoadFrom(string folder, bool cuda)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("a libtorch folder can only be used on Linux (its libraries are .so files)");
        }
        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"libtorch folder '{folder}' does not exist");
        }
        var required = cuda ? CpuLibraries.Concat(CudaLibraries).Append(UmbrellaLibrary) : CpuLibraries.Append(UmbrellaLibrary);
        var missing = required.Where(name => !File.Exists(Path.Combine(folder, name))).ToList();
        if (missing.Count > 0)
        {
            var hint = cuda && missing.Intersect(CudaLibraries).Any() ? " (a CUDA device needs a CUDA build of libtorch, such as a CUDA PyTorch's torch/lib)" : string.Empty;
            throw new InvalidOperationException($"libtorch folder '{folder}' lacks {string.Join(", ", missing)}{hint}");
        }
        // A CUDA build's libtorch.so needs the CUDA libraries even on the CPU, so load them whenever they are there.
        foreach (var name in CpuLibraries.Concat(CudaLibraries.Where(name => File.Exists(Path.Combine(folder, name)))).Append(UmbrellaLibrary))
        {
            var path = Path.GetFullPath(Path.Combine(folder, name));
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new InvalidOperationException($"cannot load {path}: {e.Message}", e);
            }
        }
        try
        {
            NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException($"cannot load TorchSharp's libLibTorchSharp.so against the libtorch in '{folder}': {e.Message}", e);
        }
    }

    private static void InitializeCuda(torch.Device device, TorchBackend backend)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
        }
        catch (InvalidOperationException e)
        {
            // TorchSharp's own message carries a page of load trace; keep it as the inner exception.
            var where = backend.LibTorchFolder is null
                ? "the NuGet libtorch is the CPU build: give a CUDA libtorch's folder (--libtorch, METAREC_LIBTORCH)"
                : $"the libtorch in '{backend.LibTorchFolder}' found no usable GPU (is there an NVIDIA GPU and driver?)";
            throw new InvalidOperationException($"device {backend.Device}: CUDA did not initialise; {where}", e);
        }
        var count = torch.cuda.device_count();
        if (device.index >= count)
        {
            throw new InvalidOperationException($"device {backend.Device}: this machine has {count} CUDA device(s)");
        }
    }

    /// <summary>The files a library was mapped from (Linux; empty elsewhere).</summary>
    public static IReadOnlyList<string> LoadedFrom(string library)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps"))
        {
            return [];
        }
        return [.. File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : null)
            .Where(path => path is not null && Path.GetFileName(path) == library)
            .Distinct()!];
    }
}

/// <summary>Which libtorch serves tensors, and on which device they are made.</summary>
/// <param name="Device"><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</param>
/// <param name="LibTorchFolder">
/// A folder holding a libtorch build (<c>libc10.so</c>, <c>libtorch_cpu.so</c>, <c>libtorch.so</c>,
/// and for CUDA <c>libc10_cuda.so</c>, <c>libtorch_cuda.so</c>), loaded instead of the NuGet one;
/// null keeps the NuGet libtorch. A CUDA PyTorch's <c>torch/lib</c> is such a folder.
/// </param>
public sealed record TorchBackend(string Device = "cpu", string? LibTorchFolder = null)
{
    public static TorchBackend Default { get; } = new();

    /// <summary>The device; throws naming the value when it is neither cpu nor cuda[:N].</summary>
    public torch.Device ToDevice()
    {
        // Not torch.CPU: touching the torch class's statics loads the NuGet libtorch, so nothing
        // here may do that before a libtorch folder is loaded.
        if (Device == "cpu")
        {
            return new torch.Device(DeviceType.CPU, -1);
        }
        if (Device == "cuda")
        {
            return new torch.Device(DeviceType.CUDA, 0);
        }
        if (Device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(Device.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"device must be cpu, cuda or cuda:N, not '{Device}'");
    }

    public override string ToString() => LibTorchFolder is null ? $"device {Device} (NuGet libtorch)" : $"device {Device} (libtorch from {LibTorchFolder})";
}

/// <summary>What <see cref="TorchRuntime.EnsureInitialized"/> found.</summary>
/// <param name="LibTorchVersion">libtorch's version string, e.g. "2.10.0".</param>
/// <param name="Threads">Intra-op threads libtorch uses.</param>
/// <param name="CudaAvailable">Whether a CUDA device is usable.</param>
/// <param name="Device">The device tensors are made on by default, e.g. "cpu" or "cuda:0".</param>
/// <param name="LibTorchPath">Where <c>libtorch_cpu.so</c> was loaded from (Linux; several joined by " + " if more than one copy is mapped; null where that cannot be read).</param>
public sealed record TorchRuntimeInfo(string LibTorchVersion, int Threads, bool CudaAvailable, string Device, string? LibTorchPath);
