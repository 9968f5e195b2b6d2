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

    private async Task<HashSet<string>> UploadBundledAsync()
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Bundled))
        {
            await _container.GetBlobClient($"plugins/{Plugin}/{Path.GetFileName(file)}").UploadAsync(file);
            allowed.Add(await BlobPluginSource.HashAsync(file));
        }
        return allowed;
    }
}
