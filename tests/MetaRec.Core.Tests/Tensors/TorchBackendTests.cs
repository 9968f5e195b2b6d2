using MetaRec.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Core.Tests.Tensors;

/// <summary>The backend a process asks for (device, libtorch folder) and reading tensors back from any device.</summary>
public sealed class TorchBackendTests
{
    public TorchBackendTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1)]
    [InlineData("cuda", DeviceType.CUDA, 0)]
    [InlineData("cuda:0", DeviceType.CUDA, 0)]
    [InlineData("cuda:3", DeviceType.CUDA, 3)]
    public void Devices_parse(string text, DeviceType type, int index)
    {
        var device = new TorchBackend(text).ToDevice();

        Assert.Equal(type, device.type);
        Assert.Equal(index, device.index);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("CPU")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Other_devices_are_refused_naming_the_value(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => new TorchBackend(text).ToDevice());

        Assert.Contains($"not '{text}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_backend_in_one_process_is_refused()
    {
        var info = TorchRuntime.EnsureInitialized();

        Assert.Equal("cpu", info.Device);
        Assert.Same(info, TorchRuntime.EnsureInitialized(1, TorchBackend.Default));
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.EnsureInitialized(1, new TorchBackend("cuda")));
        Assert.Contains("needs a new process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bundled_libtorch_is_the_one_mapped()
    {
        var info = TorchRuntime.EnsureInitialized();

        var mapped = Assert.Single(TorchRuntime.LoadedFrom("libtorch_cpu.so"));
        Assert.Equal(mapped, info.LibTorchPath);
        Assert.StartsWith(AppContext.BaseDirectory, mapped, StringComparison.Ordinal);
    }

    [Fact]
    public void Float_arrays_come_back_in_row_major_order_whatever_the_layout_or_type()
    {
        using var scope = NewDisposeScope();
        var matrix = arange(6, dtype: ScalarType.Float64).reshape(2, 3);

        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], matrix.ToFloatArray());
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], matrix.t().ToFloatArray());
        Assert.Equal([2f, 5f], arange(6, dtype: ScalarType.Int64).reshape(2, 3)[.., 2].ToFloatArray());
        Assert.Empty(zeros(0).ToFloatArray());
    }
}
