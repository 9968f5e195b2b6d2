using Azure.Storage.Blobs;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Storage.Plugins;
using MetaRec.Testing;

namespace MetaRec.Plugins.Mpp.Tests;

/// <summary>The real MPP plugin, from a Blob container (Azurite) through the allow-list into the loader.</summary>
public sealed class BlobPluginSourceTests : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string Plugin = "MetaRec.Plugins.Mpp";
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-blob-plugins-");
    private readonly BlobContainerClient _container;

    public BlobPluginSourceTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        TorchRuntime.EnsureInitialized();
        _container = new BlobContainerClient(azurite.ConnectionString, $"plugins-{Guid.NewGuid():N}");
        _container.Create();
    }

    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "plugins", Plugin);

    private string PluginsFolder => Path.Combine(_temp.FullName, "plugins");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task An_allowed_plugin_installs_and_loads_and_an_unlisted_one_is_refused_by_name()
    {
        var allowed = await UploadBundledAsync();
        await _container.GetBlobClient("plugins/Evil.Plugin/Evil.Plugin.dll").UploadAsync(BinaryData.FromString("not on the list"));

        var report = await new BlobPluginSource(_container, allowed).InstallAsync(PluginsFolder);

        Assert.Equal([Plugin], report.Installed);
        var refusal = Assert.Single(report.Refused);
        Assert.Equal(("Evil.Plugin", "Evil.Plugin.dll"), (refusal.Plugin, refusal.File));
        var catalog = PluginLoader.LoadFolder(PluginsFolder);
        Assert.Empty(catalog.Failures);
        Assert.Equal(4, catalog.Families.Count);
    }

    [Fact]
    public async Task A_tampered_assembly_is_refused_and_nothing_of_its_plugin_is_installed()
    {
        var allowed = await UploadBundledAsync();
        var dll = _container.GetBlobClient($"plugins/{Plugin}/{Plugin}.dll");
        var bytes = (await dll.DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await dll.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        var report = await new BlobPluginSource(_container, allowed).InstallAsync(PluginsFolder);

        Assert.Empty(report.Installed);
        Assert.Contains(report.Refused, r => r.File == $"{Plugin}.dll" && r.Reason.Contains("allow-list", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(PluginsFolder, Plugin)));
    }

    [Fact]
    public async Task Allowed_bytes_under_another_name_swapped_files_and_a_hash_listed_for_another_file_are_refused()
    {
        var allowed = await UploadBundledAsync();
        var dll = $"{Plugin}.dll";
        var other = allowed.Keys.Select(k => k[(Plugin.Length + 1)..]).First(f => f != dll);

        // Rename: the plugin's allowed assembly uploaded under a name the list does not have.
        var renamed = _container.GetBlobClient($"plugins/{Plugin}/Renamed.dll");
        await renamed.UploadAsync(Path.Combine(Bundled, dll));
        var report = await new BlobPluginSource(_container, allowed).InstallAsync(PluginsFolder);
        Assert.Empty(report.Installed);
        Assert.Contains(report.Refused, r => r.File == "Renamed.dll" && r.Reason.Contains("not on the allow-list", StringComparison.Ordinal));
        await renamed.DeleteAsync();

        // Swap: two allowed files trade bytes, so every hash is on the list but under the other's name.
        await _container.GetBlobClient($"plugins/{Plugin}/{dll}").UploadAsync(Path.Combine(Bundled, other), overwrite: true);
        await _container.GetBlobClient($"plugins/{Plugin}/{other}").UploadAsync(Path.Combine(Bundled, dll), overwrite: true);
        report = await new BlobPluginSource(_container, allowed).InstallAsync(PluginsFolder);
        Assert.Empty(report.Installed);
        Assert.Contains(report.Refused, r => r.File == dll && r.Reason.Contains("is not the allow-list's", StringComparison.Ordinal));

        // A list that gives the assembly the hash of another file refuses the real assembly too.
        await UploadBundledAsync();
        var wrongList = new Dictionary<string, string>(allowed, StringComparer.Ordinal) { [BlobPluginSource.Key(Plugin, dll)] = allowed[BlobPluginSource.Key(Plugin, other)] };
        report = await new BlobPluginSource(_container, wrongList).InstallAsync(PluginsFolder);
        Assert.Empty(report.Installed);
        Assert.False(Directory.Exists(Path.Combine(PluginsFolder, Plugin)));

        // A listed file missing from storage refuses the plugin (nothing can be dropped from it).
        await _container.GetBlobClient($"plugins/{Plugin}/{other}").DeleteAsync();
        report = await new BlobPluginSource(_container, allowed).InstallAsync(PluginsFolder);
        Assert.Empty(report.Installed);
        Assert.Contains(report.Refused, r => r.File == other && r.Reason.Contains("not in storage", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_symbolic_link_where_the_plugin_goes_is_replaced_and_its_target_is_untouched()
    {
        var allowed = await UploadBundledAsync();
        var elsewhere = Directory.CreateDirectory(Path.Combine(_temp.FullName, "elsewhere"));
        File.WriteAllText(Path.Combine(elsewhere.FullName, "keep.txt"), "not the plugin");
        Directory.CreateDirectory(PluginsFolder);
        Directory.CreateSymbolicLink(Path.Combine(PluginsFolder, Plugin), elsewhere.FullName);

        var report = await new BlobPluginSource(_container, allowed).InstallAsync(PluginsFolder);

        Assert.Equal([Plugin], report.Installed);
        var installed = new DirectoryInfo(Path.Combine(PluginsFolder, Plugin));
        Assert.Null(installed.LinkTarget);
        Assert.True(File.Exists(Path.Combine(installed.FullName, $"{Plugin}.dll")));
        Assert.Equal(["keep.txt"], elsewhere.GetFiles().Select(f => f.Name));
    }

    private async Task<Dictionary<string, string>> UploadBundledAsync()
    {
        var allowed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Bundled))
        {
            await _container.GetBlobClient($"plugins/{Plugin}/{Path.GetFileName(file)}").UploadAsync(file, overwrite: true);
            allowed[BlobPluginSource.Key(Plugin, Path.GetFileName(file))] = await BlobPluginSource.HashAsync(file);
        }
        return allowed;
    }
}
