using System.Reflection;
using MetaRec.Abstractions;

namespace MetaRec.Core.Plugins;

/// <summary>A plugin that could not be loaded, and why.</summary>
public sealed record PluginLoadFailure(string Plugin, string Path, string Reason);

/// <summary>What <see cref="PluginLoader.LoadFolder"/> found.</summary>
public sealed record PluginCatalog(IReadOnlyList<IModelFamily> Families, IReadOnlyList<PluginLoadFailure> Failures)
{
    /// <summary>The model generators the plugins provide.</summary>
    public IReadOnlyList<IGeneratorFamily> Generators { get; init; } = [];

    /// <summary>The cross-domain transfer trainers the plugins provide.</summary>
    public IReadOnlyList<ITransferFamily> TransferFamilies { get; init; } = [];

    /// <summary>The transfer trainer named <paramref name="name"/>; throws listing the known ones otherwise.</summary>
    public ITransferFamily GetTransfer(string name) =>
        TransferFamilies.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException(
            $"no transfer trainer '{name}'; loaded: {(TransferFamilies.Count == 0 ? "none" : string.Join(", ", TransferFamilies.Select(t => t.Name)))}");

    /// <summary>The generator named <paramref name="name"/>; throws listing the known ones otherwise.</summary>
    public IGeneratorFamily GetGenerator(string name) =>
        Generators.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException(
            $"no model generator '{name}'; loaded: {(Generators.Count == 0 ? "none" : string.Join(", ", Generators.Select(g => g.Name)))}");

    /// <summary>The family named <paramref name="name"/>; throws listing the known ones otherwise.</summary>
    public IModelFamily Get(string name) =>
        Families.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException(
            $"no model family '{name}'; loaded: {(Families.Count == 0 ? "none" : string.Join(", ", Families.Select(f => f.Name)))}" +
            (Failures.Count == 0 ? string.Empty : $"; failed plugins: {string.Join("; ", Failures.Select(f => $"{f.Plugin}: {f.Reason}"))}"));
}

/// <summary>
/// Loads model-family plugins: each subfolder of the plugins folder holds one plugin, whose
/// main assembly has the folder's name (<c>plugins/MetaRec.Plugins.Mpp/MetaRec.Plugins.Mpp.dll</c>).
/// Every public <see cref="IModelFamilyPlugin"/> in it is created and its families collected.
/// A plugin that fails is reported with the reason and skipped; the others still load.
/// </summary>
public static class PluginLoader
{
    public static PluginCatalog LoadFolder(string pluginsFolder)
    {
        ArgumentNullException.ThrowIfNull(pluginsFolder);
        var families = new List<IModelFamily>();
        var generators = new List<IGeneratorFamily>();
        var transfers = new List<ITransferFamily>();
        var failures = new List<PluginLoadFailure>();
        if (!Directory.Exists(pluginsFolder))
        {
            failures.Add(new PluginLoadFailure("(folder)", pluginsFolder, "plugins folder does not exist"));
            return new PluginCatalog(families, failures);
        }
        foreach (var folder in Directory.GetDirectories(pluginsFolder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var path = Path.Combine(folder, name + ".dll");
            var plugins = LoadEntryPoints(name, path, failures);
            foreach (var family in plugins.SelectMany(p => p.Families))
            {
                if (families.Any(f => string.Equals(f.Name, family.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    failures.Add(new PluginLoadFailure(name, path, $"family '{family.Name}' is already provided by another plugin; skipped"));
                    continue;
                }
                families.Add(family);
            }
            foreach (var generator in plugins.SelectMany(p => p.Generators))
            {
                if (generators.Any(g => string.Equals(g.Name, generator.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    failures.Add(new PluginLoadFailure(name, path, $"generator '{generator.Name}' is already provided by another plugin; skipped"));
                    continue;
                }
                generators.Add(generator);
            }
            foreach (var transfer in plugins.SelectMany(p => p.TransferFamilies))
            {
                if (transfers.Any(t => string.Equals(t.Name, transfer.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    failures.Add(new PluginLoadFailure(name, path, $"transfer trainer '{transfer.Name}' is already provided by another plugin; skipped"));
                    continue;
                }
                transfers.Add(transfer);
            }
        }
        return new PluginCatalog(families, failures) { Generators = generators, TransferFamilies = transfers };
    }

    /// <summary>Loads one plugin assembly and creates its entry points; failures are added to <paramref name="failures"/>.</summary>
    private static IReadOnlyList<IModelFamilyPlugin> LoadEntryPoints(string name, string assemblyPath, ICollection<PluginLoadFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (!File.Exists(assemblyPath))
        {
            failures.Add(new PluginLoadFailure(name, assemblyPath, "main assembly not found (expected <folder>/<folder>.dll)"));
            return [];
        }
        try
        {
            var context = new PluginLoadContext(Path.GetFullPath(assemblyPath));
            var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
            var entryTypes = assembly.GetExportedTypes()
                .Where(t => typeof(IModelFamilyPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (entryTypes.Count == 0)
            {
                failures.Add(new PluginLoadFailure(name, assemblyPath,
                    $"no public {nameof(IModelFamilyPlugin)} implementation (is MetaRec.Abstractions shared, not copied into the plugin folder?)"));
                return [];
            }
            return [.. entryTypes.Select(t => (IModelFamilyPlugin)Activator.CreateInstance(t)!)];
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException
            or ReflectionTypeLoadException or TypeLoadException or TargetInvocationException or MissingMethodException or InvalidOperationException)
        {
            failures.Add(new PluginLoadFailure(name, assemblyPath, $"{e.GetType().Name}: {(e as TargetInvocationException)?.InnerException?.Message ?? e.Message}"));
            return [];
        }
    }
}
