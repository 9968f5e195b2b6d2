namespace MetaRec.Cli.Tests;

/// <summary>The registry commands against the folder backend, as a user runs them.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-models-");

    public void Dispose() => _temp.Delete(recursive: true);

    private string Store => Path.Combine(_temp.FullName, "store");

    [Fact]
    public async Task A_trained_checkpoint_registers_promotes_lists_and_cannot_roll_back_past_the_first()
    {
        var checkpoint = Path.Combine(_temp.FullName, "ckpt");
        Assert.Equal(0, (await Metarec.RunAsync("train", "--epochs", "1", "--out", checkpoint)).ExitCode);

        var registered = await Metarec.RunAsync("models", "register", "--checkpoint", checkpoint, "--version", "v1", "--storage-folder", Store);
        var again = await Metarec.RunAsync("models", "register", "--checkpoint", checkpoint, "--version", "v1", "--storage-folder", Store);
        var promoted = await Metarec.RunAsync("models", "promote", "mpp", "v1", "--storage-folder", Store);
        var listed = await Metarec.RunAsync("models", "list", "--storage-folder", Store);
        var rollback = await Metarec.RunAsync("models", "rollback", "mpp", "--storage-folder", Store);

        Assert.True(registered.ExitCode == 0, registered.Output + registered.Error);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("immutable", again.Error, StringComparison.Ordinal);
        Assert.Contains("active v1 (was none)", promoted.Output, StringComparison.Ordinal);
        Assert.Contains("yes", listed.Output, StringComparison.Ordinal);
        Assert.Equal(2, rollback.ExitCode);
        Assert.Contains("no version before v1", rollback.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_checkpoint_is_not_registered_and_bad_names_are_refused()
    {
        var checkpoint = Path.Combine(_temp.FullName, "ckpt");
        Assert.Equal(0, (await Metarec.RunAsync("train", "--epochs", "1", "--out", checkpoint)).ExitCode);
        var weights = Path.Combine(checkpoint, "model.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[^5] ^= 0x10;
        File.WriteAllBytes(weights, bytes);

        var tampered = await Metarec.RunAsync("models", "register", "--checkpoint", checkpoint, "--version", "v1", "--storage-folder", Store);
        var badName = await Metarec.RunAsync("models", "show", "mpp", "../escape", "--storage-folder", Store);
        var missing = await Metarec.RunAsync("embeddings", "get", "mpp", "someone", "--storage-folder", Store);

        Assert.Equal(2, tampered.ExitCode);
        Assert.Contains("SHA-256", tampered.Error, StringComparison.Ordinal);
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("version '../escape' is not valid", badName.Error, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
    }
}
