using System.Reflection;
using System.Runtime.Loader;

namespace MetaRec.Core.Plugins;

/// <summary>
/// The load context of one plugin: its own dependencies from its folder, and the shared
/// assemblies (contracts, core, TorchSharp, Microsoft.Extensions abstractions) from the default
/// context so that types such as <c>IModelFamily</c> and <c>Tensor</c> are the host's.
/// Not collectible: libtorch cannot be unloaded.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    /// <summary>Whether an assembly must come from the host (default context).</summary>
    public static bool IsShared(AssemblyName name)
    {
        var simple = name.Name ?? string.Empty;
        return simple is "MetaRec.Abstractions" or "MetaRec.Core" or "TorchSharp"
            || (simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) && simple.EndsWith(".Abstractions", StringComparison.Ordinal));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName))
        {
            return null;
        }
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
