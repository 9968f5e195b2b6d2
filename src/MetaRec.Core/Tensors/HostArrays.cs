using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Core.Tensors;

/// <summary>
/// Reading tensors back into managed arrays from any device: <c>data&lt;T&gt;()</c> reads host
/// memory only, so a GPU tensor is copied to the CPU first (a CPU float32 tensor is read in place).
/// </summary>
public static class HostArrays
{
    /// <summary>The tensor's values as float32, in row-major order.</summary>
    public static float[] ToFloatArray(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32)
        {
            return Read(tensor);
        }
        // One conversion does both: to float32 and to the host.
        using var host = tensor.to(ScalarType.Float32, CPU);
        return Read(host);
    }

    private static float[] Read(Tensor values)
    {
        if (values.is_contiguous())
        {
            return values.data<float>().ToArray();
        }
        using var dense = values.contiguous();
        return dense.data<float>().ToArray();
    }
}
