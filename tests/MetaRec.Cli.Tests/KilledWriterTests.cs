using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace MetaRec.Cli.Tests;

/// <summary>A `metarec models register` process killed mid-upload leaves no visible version.</summary>
public sealed class KilledWriterTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-killed-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task A_writer_killed_mid_upload_leaves_nothing_active_and_the_upload_can_be_repeated()
    {
        var checkpoint = Directory.CreateDirectory(Path.Combine(_temp.FullName, "ckpt")).FullName;
        var weights = Path.Combine(checkpoint, "model.bin");
        var block = RandomNumberGenerator.GetBytes(1 << 20);
        await using (var file = File.Create(weights))
        {
            for (var i = 0; i < 200; i++)
            {
                await file.WriteAsync(block); // 200 MiB: the copy takes long enough to be caught mid-way
            }
        }
        var manifest = new
        {
            family = "mpp",
            createdUtc = DateTimeOffset.UnixEpoch,
            settings = new Dictionary<string, string>(),
            training = new Dictionary<string, string>(),
            data = new { path = "synthetic", fingerprint = new string('0', 64), users = 1, items = 1, interactions = 1, protocol = "cold-start", splitSeed = 1 },
            metrics = new Dictionary<string, double>(),
            totalParameters = 1,
            adaptiveParameters = 1,
            weights = new { file = "model.bin", sha256 = MetaRec.Core.Checkpoints.CheckpointFolder.Sha256(weights), bytes = new FileInfo(weights).Length },
        };
        await File.WriteAllTextAsync(Path.Combine(checkpoint, "manifest.json"), JsonSerializer.Serialize(manifest));
        var store = Path.Combine(_temp.FullName, "store");
        var versionFolder = Path.Combine(store, "models", "mpp", "v1");

        // On a loaded machine the poll below can miss the copy's window; then the finished
        // upload is cleared and the writer runs again (a few tries), so the kill lands mid-upload.
        var caught = false;
        for (var attempt = 0; attempt < 4 && !caught; attempt++)
        {
            if (Directory.Exists(store))
            {
                Directory.Delete(store, recursive: true);
            }
            caught = await KillMidUploadAsync(checkpoint, store, versionFolder);
        }
        Assert.True(caught, "the writer finished before it could be killed mid-upload, 4 times");

        Assert.False(File.Exists(Path.Combine(versionFolder, "manifest.json")));
        var listed = await Metarec.RunAsync("models", "list", "--storage-folder", store);
        Assert.DoesNotContain("v1", listed.Output, StringComparison.Ordinal);
        var promote = await Metarec.RunAsync("models", "promote", "mpp", "v1", "--storage-folder", store);
        Assert.Equal(2, promote.ExitCode);

        var retry = await Metarec.RunAsync("models", "register", "--checkpoint", checkpoint, "--version", "v1", "--storage-folder", store);
        Assert.True(retry.ExitCode == 0, retry.Output + retry.Error);
        Assert.Equal(0, (await Metarec.RunAsync("models", "promote", "mpp", "v1", "--storage-folder", store)).ExitCode);
    }

    /// <summary>Starts a writer and kills it once a partial upload exists; false if it finished first.</summary>
    private static async Task<bool> KillMidUploadAsync(string checkpoint, string store, string versionFolder)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Metarec.Dll, "models", "register", "--checkpoint", checkpoint, "--version", "v1", "--storage-folder", store })
        {
            start.ArgumentList.Add(argument);
        }
        using var writer = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        while (!(Directory.Exists(versionFolder) && Directory.GetFiles(versionFolder, "*.partial").Length > 0))
        {
            if (writer.HasExited)
            {
                Assert.True(writer.ExitCode == 0, $"the writer failed: {await writer.StandardError.ReadToEndAsync()}");
                return false;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the upload never started");
            await Task.Delay(1);
        }
        writer.Kill(entireProcessTree: true);
        await writer.WaitForExitAsync();
        return true;
    }
}
