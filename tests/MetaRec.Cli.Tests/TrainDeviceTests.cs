using MetaRec.Core.Checkpoints;

namespace MetaRec.Cli.Tests;

/// <summary>
/// `metarec train --device` and `--libtorch`: the libtorch a job trains with can come from a
/// folder (the CUDA training image's, or a PyTorch install's torch/lib), and a device that
/// cannot be had fails the job before any work, with nothing written.
/// </summary>
public sealed class TrainDeviceTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-device-");

    public void Dispose() => _temp.Delete(recursive: true);

    private static string Shipped => Path.Combine(MetaRec.Testing.DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    /// <summary>
    /// A libtorch folder other than the one in the tool's output: the CPU libtorch in the NuGet
    /// package cache, which every restore of the repo fills.
    /// </summary>
    private static string PackageLibTorch()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var folder = Path.Combine(packages, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");
        Assert.True(File.Exists(Path.Combine(folder, "libtorch_cpu.so")), $"the restored libtorch-cpu-linux-x64 package is not at {folder}");
        return folder;
    }

    [Fact]
    public async Task A_libtorch_folder_is_loaded_instead_of_the_bundled_one()
    {
        var folder = PackageLibTorch();
        var output = Path.Combine(_temp.FullName, "ckpt");

        var trained = await Metarec.RunAsync("train", "--family", "mpp", "--data", Shipped, "--epochs", "2", "--libtorch", folder, "--out", output);

        Assert.True(trained.ExitCode == 0, trained.Output + trained.Error);
        // The tool reports where libtorch_cpu.so was mapped from: the folder, and only the folder.
        Assert.Contains($"from {Path.Combine(folder, "libtorch_cpu.so")}, device cpu", trained.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" + ", trained.Output.Split('\n').First(l => l.StartsWith("libtorch ", StringComparison.Ordinal)), StringComparison.Ordinal);
        var manifest = CheckpointFolder.ReadManifest(output);
        Assert.Equal("cpu", manifest.Training["device"]);
        Assert.True(double.Parse(manifest.Training["examplesPerSecond"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("examples/s", trained.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_folder_can_come_from_the_environment_as_in_the_cuda_image()
    {
        var folder = PackageLibTorch();

        var trained = await Metarec.RunAsync(new Dictionary<string, string> { ["METAREC_LIBTORCH"] = folder },
            "train", "--family", "mpp", "--data", Shipped, "--epochs", "1", "--out", Path.Combine(_temp.FullName, "ckpt"));

        Assert.True(trained.ExitCode == 0, trained.Output + trained.Error);
        Assert.Contains($"from {Path.Combine(folder, "libtorch_cpu.so")}", trained.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_or_folder_that_cannot_be_used_fails_the_job_before_any_work()
    {
        var never = Path.Combine(_temp.FullName, "never");
        var empty = _temp.CreateSubdirectory("empty").FullName;

        var cudaOnCpuBuild = await Metarec.RunAsync("train", "--data", Shipped, "--device", "cuda", "--out", never);
        var cudaOnCpuFolder = await Metarec.RunAsync("train", "--data", Shipped, "--device", "cuda", "--libtorch", PackageLibTorch(), "--out", never);
        var badDevice = await Metarec.RunAsync("train", "--data", Shipped, "--device", "gpu", "--out", never);
        var noFolder = await Metarec.RunAsync("train", "--data", Shipped, "--libtorch", Path.Combine(_temp.FullName, "nope"), "--out", never);
        var emptyFolder = await Metarec.RunAsync("train", "--data", Shipped, "--libtorch", empty, "--out", never);

        Assert.All(new[] { cudaOnCpuBuild, cudaOnCpuFolder, badDevice, noFolder, emptyFolder }, r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("device cuda: CUDA did not initialise", cudaOnCpuBuild.Error, StringComparison.Ordinal);
        Assert.Contains("lacks libc10_cuda.so, libtorch_cuda.so", cudaOnCpuFolder.Error, StringComparison.Ordinal);
        Assert.Contains("--device: device must be cpu, cuda or cuda:N, not 'gpu'", badDevice.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", noFolder.Error, StringComparison.Ordinal);
        Assert.Contains("lacks libc10.so, libtorch_cpu.so, libtorch.so", emptyFolder.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(never), "a job that cannot start writes no checkpoint");
    }
}
