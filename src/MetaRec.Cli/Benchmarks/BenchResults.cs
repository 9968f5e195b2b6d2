using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace MetaRec.Cli.Benchmarks;

/// <summary>Every figure of one <c>metarec bench</c> run (what <c>--json</c> writes).</summary>
internal sealed record BenchResults(
    MachineInfo Machine,
    BenchSettings Settings,
    IReadOnlyList<ThroughputResult> Training,
    IReadOnlyList<AdaptationResult> Adaptation,
    MatmulProbe Matmul,
    IReadOnlyList<FloorComparison> Floor,
    PeerReport? Peer,
    string? PeerFailure,
    IReadOnlyList<PeerComparison> Comparisons,
    IReadOnlyList<TargetCheck> Targets);

/// <summary>Where the figures were taken; load averages (1, 5, 15 min) at start and end show whether the cores were shared.</summary>
internal sealed record MachineInfo(
    string Os, string Architecture, int ProcessorCount, string DotNet, string LibTorch, int TorchThreads, DateTimeOffset Started, string? LoadAverageAtStart)
{
    public string? LoadAverageAtEnd { get; init; }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or null where they cannot be read.</summary>
    public static string? ReadLoadAverage()
    {
        const string Path = "/proc/loadavg";
        try
        {
            return File.Exists(Path) ? string.Join(' ', File.ReadAllText(Path).Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>TorchSharp against the faster of the PyTorch peer's variants on one configuration.</summary>
/// <param name="Family">Model family.</param>
/// <param name="InnerSteps">Inner SGD steps.</param>
/// <param name="FirstOrder">First-order MAML.</param>
/// <param name="TorchSharpTasksPerSecond">TorchSharp median tasks per second.</param>
/// <param name="BatchedTasksPerSecond">The batched-over-tasks peer's median tasks per second; null when it did not run.</param>
/// <param name="LoopedTasksPerSecond">The looped-over-tasks peer's median tasks per second; null when it did not run.</param>
internal sealed record PeerComparison(
    string Family, int InnerSteps, bool FirstOrder, double TorchSharpTasksPerSecond, double? BatchedTasksPerSecond, double? LoopedTasksPerSecond)
{
    /// <summary>The faster variant's tasks per second: the one the ratio is taken against.</summary>
    public double PytorchTasksPerSecond => Math.Max(BatchedTasksPerSecond ?? 0, LoopedTasksPerSecond ?? 0);

    public string FasterVariant => (LoopedTasksPerSecond ?? 0) > (BatchedTasksPerSecond ?? 0) ? PeerResult.Looped : PeerResult.Batched;

    public double Ratio => TorchSharpTasksPerSecond / PytorchTasksPerSecond;
}

/// <summary>One target from the performance issue and whether this run meets it.</summary>
internal sealed record TargetCheck(string Target, string Measured, bool? Met);

/// <summary>Source-generated JSON for the results and the peer's report (snake_case).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BenchResults))]
[JsonSerializable(typeof(PeerReport))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>What <c>--json</c> does for every benchmark.</summary>
internal static class BenchJson
{
    /// <summary>Writes <paramref name="results"/> to <paramref name="path"/> (nothing when null); 0, or 2 with an error line when it cannot be written.</summary>
    public static int WriteFile<T>(IAnsiConsole console, string? path, T results, JsonTypeInfo<T> type)
    {
        if (path is null)
        {
            return 0;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, JsonSerializer.Serialize(results, type));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write --json {path}: {e.Message}");
            return 2;
        }
        console.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
        return 0;
    }
}
