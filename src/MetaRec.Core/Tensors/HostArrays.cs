using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Core.Tensors;

/// <summary>
/// Reading tensors back into managed arrays from any device: <c>data&lt;T&gt;()</c> reads host
/// memory only, so a GPU tensor is copied to the CPU first (a CPU tensor is read in place).
/// </summary>
public static class HostArrays
{
    /// <summary>The tensor's values as float32, in row-major order.</summary>
    public static float[] ToFloatArray(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var values = tensor.dtype == ScalarType.Float32 ? tensor : tensor.to(ScalarType.Float32);
        if (values.device_type == DeviceType.CPU)
        {
            return values.contiguous().data<float>().ToArray();
        }
        using var host = values.cpu();
        return host.contiguous().data<float>().ToArray();
    }
}
