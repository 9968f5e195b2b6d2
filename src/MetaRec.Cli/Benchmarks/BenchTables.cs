using System.Globalization;
using Spectre.Console;

namespace MetaRec.Cli.Benchmarks;

/// <summary>Renders <see cref="BenchResults"/> as console tables.</summary>
internal static class BenchTables
{
    public static void Write(IAnsiConsole console, BenchResults results)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(results);
        var machine = results.Machine;
        console.MarkupLine(Markup.Escape(
            $"{machine.Os} {machine.Architecture}, {machine.ProcessorCount} cores, .NET {machine.DotNet}, libtorch {machine.LibTorch}, " +
            $"{machine.TorchThreads} torch threads; {results.Settings.Repeats} timed steps after {results.Settings.Warmup} warm-up; " +
            $"load average {machine.LoadAverageAtStart ?? "n/a"} at start, {machine.LoadAverageAtEnd ?? "n/a"} at end"));
        console.Write(Training(results));
        console.Write(Serving(results));
        console.Write(Floor(results));
        console.MarkupLine(results.Peer is { } peer
            ? Markup.Escape(
                $"PyTorch peer: torch {peer.TorchVersion}, {peer.Threads} threads, Python {peer.Python}; " +
                $"BLAS: {peer.Blas?.Describe() ?? "not reported"}; " +
                $"1024³ matmul: peer {Format(peer.MatmulGflops, 1)} GFLOP/s, TorchSharp {Format(results.Matmul.Gflops, 1)} GFLOP/s")
            : $"[yellow]PyTorch peer unavailable:[/] {Markup.Escape(results.PeerFailure ?? "unknown reason")}");
        console.Write(Targets(results));
    }

    private static Table Training(BenchResults results)
    {
        var table = NewTable($"Meta-training throughput, {MeluShape.TasksPerStep} tasks/step, support {MeluShape.Support}, query {MeluShape.Query}, MLP {MeluShape.InputWidth}-{MeluShape.Hidden1}-{MeluShape.Hidden2}-1",
            "family", "inner", "order", "step ms (median)", "step ms (p95)", "tasks/s (median)", "tasks/s (p95)",
            "PyTorch batched tasks/s", "PyTorch looped tasks/s", "TorchSharp / faster PyTorch");
        foreach (var r in results.Training)
        {
            var peer = results.Comparisons.FirstOrDefault(c => c.Family == r.Family && c.InnerSteps == r.InnerSteps && c.FirstOrder == r.FirstOrder);
            table.AddRow(
                r.Family, Format(r.InnerSteps), r.FirstOrder ? "first" : "second",
                Format(r.Step.MedianMs, 2), Format(r.Step.P95Ms, 2),
                Format(r.TasksPerSecondMedian, 0), Format(r.TasksPerSecondP95, 0),
                peer?.BatchedTasksPerSecond is { } batched ? Format(batched, 0) : "-",
                peer?.LoopedTasksPerSecond is { } looped ? Format(looped, 0) : "-",
                peer is null ? "-" : $"{Format(peer.Ratio, 2)}× ({peer.FasterVariant})");
        }
        return table;
    }

    private static Table Serving(BenchResults results)
    {
        var table = NewTable($"Serving: adapt on {AdaptationBenchmark.Support} support examples, score {AdaptationBenchmark.Candidates} candidates",
            "family", "state bytes", "adapt ms (median)", "adapt ms (p95)", "score ms (median)", "score ms (p95)");
        foreach (var r in results.Adaptation)
        {
            table.AddRow(
                r.Family, Format(r.UserStateBytes),
                Format(r.Adapt.MedianMs, 3), Format(r.Adapt.P95Ms, 3),
                Format(r.Score.MedianMs, 3), Format(r.Score.P95Ms, 3));
        }
        return table;
    }

    private static Table Floor(BenchResults results)
    {
        var m = results.Matmul;
        var table = NewTable(
            $"MeLU step vs FLOP floor (decoder matmuls); {m.Size}³ float32 matmul: {Format(m.Gflops, 1)} GFLOP/s (median {Format(m.Timing.MedianMs, 2)} ms)",
            "inner", "multiply-adds", "MFLOP", "floor ms", "step ms", "GFLOP/s", "of matmul", "× floor");
        foreach (var f in results.Floor)
        {
            table.AddRow(
                Format(f.InnerSteps), Format(f.MultiplyAdds), Format(f.Gflop * 1e3, 1), Format(f.FloorMs, 2), Format(f.StepMedianMs, 2),
                Format(f.AchievedGflops, 1), $"{Format(f.FractionOfMatmul * 100, 1)}%", Format(f.TimesFloor, 2));
        }
        return table;
    }

    private static Table Targets(BenchResults results)
    {
        var table = NewTable("Targets", "target", "measured", "met");
        foreach (var t in results.Targets)
        {
            table.AddRow(
                Markup.Escape(t.Target),
                Markup.Escape(t.Measured),
                t.Met switch { true => "[green]yes[/]", false => "[red]no[/]", null => "[yellow]n/a[/]" });
        }
        return table;
    }

    /// <summary>A rounded table with a title; the first column left-aligned, the figures right-aligned.</summary>
    public static Table NewTable(string title, params string[] columns)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(title)), Border = TableBorder.Rounded };
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
        }
        table.Columns[0].LeftAligned();
        return table;
    }

    private static string Format(double value, int decimals) => value.ToString($"N{decimals}", CultureInfo.InvariantCulture);

    private static string Format(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
