using MetaRec.Abstractions;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Testing.Conformance;

namespace MetaRec.Plugins.Mpp.Tests;

/// <summary>The plugin loads through its own AssemblyLoadContext, sharing contracts and TorchSharp.</summary>
public sealed class PluginLoadingTests : IDisposable
{
    private readonly DirectoryInfo _plugins = Directory.CreateTempSubdirectory("metarec-plugins-");

    public PluginLoadingTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => _plugins.Delete(recursive: true);

    [Fact]
    public void The_mpp_plugin_loads_from_a_folder_and_its_families_work_with_host_types()
    {
        InstallPlugin("MetaRec.Plugins.Mpp");

        var catalog = PluginLoader.LoadFolder(_plugins.FullName);

        Assert.Empty(catalog.Failures);
        Assert.Equal(["mpp", "melu", "pooled", "pooled-finetune"], catalog.Families.Select(f => f.Name));
        var family = catalog.Get("MPP");
        Assert.NotSame(typeof(MppPlugin).Assembly, family.GetType().Assembly); // its own context...
        Assert.Same(typeof(IModelFamily).Assembly, family.GetType().GetInterfaces().Single(i => i.Name == nameof(IModelFamily)).Assembly); // ...host contracts
        using var model = family.Create(SyntheticTasks.Catalogue(), new Dictionary<string, string>(), seed: 1);
        Assert.Equal(5, model.Score([0, 0], null, [1, 2, 3, 4, 5]).Length);
    }

    [Fact]
    public void A_broken_plugin_is_reported_by_name_and_the_others_still_load()
    {
        InstallPlugin("MetaRec.Plugins.Mpp");
        var broken = Directory.CreateDirectory(Path.Combine(_plugins.FullName, "Broken.Plugin"));
        File.WriteAllText(Path.Combine(broken.FullName, "Broken.Plugin.dll"), "not an assembly");
        Directory.CreateDirectory(Path.Combine(_plugins.FullName, "Empty.Plugin"));

        var catalog = PluginLoader.LoadFolder(_plugins.FullName);

        Assert.Equal(4, catalog.Families.Count);
        Assert.Equal(2, catalog.Failures.Count);
        Assert.Contains(catalog.Failures, f => f.Plugin == "Broken.Plugin" && f.Reason.Contains("BadImageFormat", StringComparison.Ordinal));
        Assert.Contains(catalog.Failures, f => f.Plugin == "Empty.Plugin" && f.Reason.Contains("not found", StringComparison.Ordinal));
        var missing = Assert.Throws<KeyNotFoundException>(() => catalog.Get("nope"));
        Assert.Contains("Broken.Plugin", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_plugins_folder_is_a_reported_failure_not_a_crash()
    {
        var catalog = PluginLoader.LoadFolder(Path.Combine(_plugins.FullName, "absent"));
        Assert.Empty(catalog.Families);
        Assert.Single(catalog.Failures);
    }

    private void InstallPlugin(string name)
    {
        // The build bundles plugins into bin/plugins/<Name>/ exactly as for the hosts.
        var bundled = Path.Combine(AppContext.BaseDirectory, "plugins", name);
        Assert.True(File.Exists(Path.Combine(bundled, name + ".deps.json")), $"no bundled plugin at {bundled}");
        var folder = Directory.CreateDirectory(Path.Combine(_plugins.FullName, name));
        foreach (var file in Directory.GetFiles(bundled))
        {
            File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
        }
    }
}
