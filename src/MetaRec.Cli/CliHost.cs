using MetaRec.Core.Data;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using Spectre.Console;

namespace MetaRec.Cli;

/// <summary>What every command needs: the native stack, the plugins, datasets, and one way to fail.</summary>
internal static class CliHost
{
    /// <summary>The plugins folder next to the tool (the build bundles plugins/ there).</summary>
    public static string PluginsFolder => Path.Combine(AppContext.BaseDirectory, "plugins");

    public static PluginCatalog Start(int threads, TorchBackend? backend = null) => Start(threads, backend, out _);

    /// <summary>Brings libtorch up on <paramref name="backend"/>, says where from when it is not the default, and loads the plugins.</summary>
    public static PluginCatalog Start(int threads, TorchBackend? backend, out TorchRuntimeInfo runtime)
    {
        runtime = TorchRuntime.EnsureInitialized(threads, backend);
        if (backend is not null && backend != TorchBackend.Default)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"libtorch {runtime.LibTorchVersion} from {runtime.LibTorchPath ?? "(unknown)"}, device {runtime.Device}"));
        }
        var catalog = PluginLoader.LoadFolder(PluginsFolder);
        foreach (var failure in catalog.Failures)
        {
            Console.Error.WriteLine($"warning: plugin {failure.Plugin} not loaded: {failure.Reason}");
        }
        return catalog;
    }

    public static InteractionDataset ReadDataset(string path)
    {
        AnsiConsole.MarkupLine($"reading [bold]{Markup.Escape(path)}[/]");
        var dataset = DatasetReader.Read(path);
        AnsiConsole.MarkupLine(Markup.Escape($"{dataset.Name}: {dataset.UserCount:N0} users, {dataset.ItemCount:N0} items, {dataset.Interactions.Count:N0} interactions"));
        return dataset;
    }

    /// <summary>
    /// Runs a command body: expected failures (bad input, bad data, bad options) print one
    /// "error:" line and exit 2; Ctrl-C exits 130 after the body stops.
    /// </summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or DataFormatException or InvalidDataException or FileNotFoundException
            or DirectoryNotFoundException or InvalidOperationException or KeyNotFoundException or NotSupportedException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
