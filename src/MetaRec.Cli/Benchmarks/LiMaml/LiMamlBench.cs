using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using MetaRec.Core.Tensors;
using Spectre.Console;

namespace MetaRec.Cli.Benchmarks.LiMaml;

/// <summary>Every figure of one <c>metarec bench --limaml</c> run (what <c>--json</c> writes).</summary>
internal sealed record LiMamlBenchResults(
    MachineInfo Machine,
    BenchSettings Settings,
    LiMamlServing TorchSharp,
    IReadOnlyList<ProfilePart> Profile,
    LiMamlPeerReport? Peer,
    string? PeerFailure,
    IReadOnlyList<LiMamlComparison> Comparisons,
    IReadOnlyList<TargetCheck> Targets);

/// <summary>One figure beside the peer's; <see cref="Speedup"/> &gt; 1 means TorchSharp is faster.</summary>
internal sealed record LiMamlComparison(string Figure, double TorchSharpMedianMs, double PytorchMedianMs)
{
    public double Speedup => PytorchMedianMs / TorchSharpMedianMs;
}

/// <summary>Source-generated JSON for the results and the peer's report (snake_case).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LiMamlBenchResults))]
[JsonSerializable(typeof(LiMamlPeerReport))]
internal sealed partial class LiMamlJsonContext : JsonSerializerContext;

/// <summary>
/// <c>metarec bench --limaml</c>: LiMAML's refresh and scoring latency (TorchSharp first, then
/// the PyTorch peer so the two never share the cores), the targets, tables and JSON.
/// </summary>
internal static class LiMamlBench
{
    /// <summary>Refresh at support 50 with 3 inner steps: median target (ms).</summary>
    public const double RefreshTargetMs = 2;

    /// <summary>Full-catalogue top-10 through the catalogue ranker: median target (ms).</summary>
    public const double TopTargetMs = 1;

    public static int Run(BenchSettings settings, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var console = AnsiConsole.Console;
        var time = TimeProvider.System;
        var started = time.GetUtcNow();
        var plugins = CliHost.Start(settings.Threads);
        var runtime = TorchRuntime.EnsureInitialized(settings.Threads);
        var machine = new MachineInfo(
            RuntimeInformation.OSDescription, RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            Environment.Version.ToString(), runtime.LibTorchVersion, runtime.Threads, started, MachineInfo.ReadLoadAverage());
        console.MarkupLine(Markup.Escape($"measuring limaml refresh (support {string.Join('/', LiMamlShape.Supports)} × inner steps {string.Join('/', LiMamlShape.InnerSteps)}), scoring and top-{LiMamlShape.Top} of {LiMamlShape.Items:N0} items (interleaved)…"));
        var serving = LiMamlServingBenchmark.Run(plugins.Get("limaml"), settings, time, cancellation);
        console.MarkupLine("measuring a breakdown of full-catalogue scoring (same shapes, random weights)…");
        var profile = LiMamlProfile.Run(settings, time);
        (LiMamlPeerReport? Report, string? Failure) peer = (null, "skipped (--no-peer)");
        if (settings.PeerInterpreter is { } interpreter)
        {
            console.MarkupLine(Markup.Escape($"measuring the PyTorch peer ({interpreter} {LiMamlPeer.ScriptName})…"));
            peer = LiMamlPeer.Run(interpreter, settings, cancellation);
        }
        machine = machine with { LoadAverageAtEnd = MachineInfo.ReadLoadAverage() };
        var comparisons = Compare(serving, peer.Report);
        var results = new LiMamlBenchResults(machine, settings, serving, profile, peer.Report, peer.Failure, comparisons, Targets(serving, comparisons));
        Write(console, results);
        return BenchJson.WriteFile(console, settings.JsonPath, results, LiMamlJsonContext.Default.LiMamlBenchResults);
    }

    private static List<LiMamlComparison> Compare(LiMamlServing serving, LiMamlPeerReport? peer)
    {
        if (peer is null)
        {
            return [];
        }
        var list = new List<LiMamlComparison>();
        foreach (var r in serving.Refresh)
        {
            var p = peer.Refresh.FirstOrDefault(x => x.Support == r.Support && x.InnerSteps == r.InnerSteps);
            if (p is not null)
            {
                list.Add(new LiMamlComparison(RefreshName(r), r.Refresh.MedianMs, p.Refresh.MedianMs));
            }
        }
        list.Add(new LiMamlComparison(ScoreName, serving.Score.MedianMs, peer.Score.MedianMs));
        list.Add(new LiMamlComparison(TopName, serving.CatalogueTop.MedianMs, peer.CatalogueTop.MedianMs));
        list.Add(new LiMamlComparison(RankName, serving.CatalogueRank.MedianMs, peer.CatalogueTop.MedianMs));
        return list;
    }

    private static List<TargetCheck> Targets(LiMamlServing serving, IReadOnlyList<LiMamlComparison> comparisons)
    {
        var targets = new List<TargetCheck>();
        var refresh = serving.Refresh.First(r => r.Support == LiMamlShape.TargetSupport && r.InnerSteps == LiMamlShape.TargetSteps);
        targets.Add(new TargetCheck(
            $"refresh ≤ {F(RefreshTargetMs, 0)} ms median (support {LiMamlShape.TargetSupport}, {LiMamlShape.TargetSteps} inner steps)",
            $"{F(refresh.Refresh.MedianMs, 3)} ms (p95 {F(refresh.Refresh.P95Ms, 3)})",
            refresh.Refresh.MedianMs <= RefreshTargetMs));
        targets.Add(new TargetCheck(
            $"full-catalogue top-{LiMamlShape.Top} ≤ {F(TopTargetMs, 0)} ms median ({LiMamlShape.Items:N0} items, catalogue ranker)",
            $"{F(serving.CatalogueRank.MedianMs, 3)} ms (p95 {F(serving.CatalogueRank.P95Ms, 3)}; {F(serving.CatalogueTop.MedianMs / serving.CatalogueRank.MedianMs, 1)}× faster than scoring through libtorch)",
            serving.CatalogueRank.MedianMs <= TopTargetMs));
        if (comparisons.Count > 0)
        {
            var worst = comparisons.MinBy(c => c.Speedup)!;
            targets.Add(new TargetCheck(
                "faster than the PyTorch peer (every figure)",
                $"lowest speed-up {F(worst.Speedup, 2)}× ({worst.Figure})",
                worst.Speedup > 1));
        }
        else
        {
            targets.Add(new TargetCheck("faster than the PyTorch peer (every figure)", "no peer figures", null));
        }
        return targets;
    }

    private static void Write(IAnsiConsole console, LiMamlBenchResults results)
    {
        var machine = results.Machine;
        var s = results.TorchSharp;
        console.MarkupLine(Markup.Escape(
            $"{machine.Os} {machine.Architecture}, {machine.ProcessorCount} cores, .NET {machine.DotNet}, libtorch {machine.LibTorch}, " +
            $"{machine.TorchThreads} torch threads; {results.Settings.PerUserRepeats} timed rounds after {results.Settings.Warmup} warm-up; " +
            $"load average {machine.LoadAverageAtStart ?? "n/a"} at start, {machine.LoadAverageAtEnd ?? "n/a"} at end"));
        console.MarkupLine(Markup.Escape($"bytes per user: {s.UserStateBytes:N0} (Info.UserStateBytes), {s.MeasuredStateBytes:N0} measured"));
        var table = BenchTables.NewTable("LiMAML serving latency (ms)", "figure", "median", "p95", "PyTorch median", "PyTorch p95", "speed-up vs PyTorch");
        foreach (var r in s.Refresh)
        {
            var p = results.Peer?.Refresh.FirstOrDefault(x => x.Support == r.Support && x.InnerSteps == r.InnerSteps)?.Refresh;
            Row(table, RefreshName(r), r.Refresh, p);
        }
        Row(table, ScoreName, s.Score, results.Peer?.Score);
        Row(table, TopName, s.CatalogueTop, results.Peer?.CatalogueTop);
        Row(table, RankName, s.CatalogueRank, results.Peer?.CatalogueTop);
        console.Write(table);
        var profile = BenchTables.NewTable("Breakdown (TorchSharp, same shapes, random weights; ms)", "part", "median", "p95");
        foreach (var part in results.Profile)
        {
            profile.AddRow(Markup.Escape(part.Part), F(part.Timing.MedianMs, 3), F(part.Timing.P95Ms, 3));
        }
        console.Write(profile);
        console.MarkupLine(results.Peer is { } peer
            ? Markup.Escape($"PyTorch peer: torch {peer.TorchVersion}, {peer.Threads} threads, Python {peer.Python}")
            : $"[yellow]PyTorch peer unavailable:[/] {Markup.Escape(results.PeerFailure ?? "unknown reason")}");
        var targets = BenchTables.NewTable("Targets", "target", "measured", "met");
        foreach (var t in results.Targets)
        {
            targets.AddRow(
                Markup.Escape(t.Target),
                Markup.Escape(t.Measured),
                t.Met switch { true => "[green]yes[/]", false => "[red]no[/]", null => "[yellow]n/a[/]" });
        }
        console.Write(targets);
    }

    private static void Row(Table table, string name, TimingSummary mine, TimingSummary? peer) =>
        table.AddRow(
            Markup.Escape(name), F(mine.MedianMs, 3), F(mine.P95Ms, 3),
            peer is null ? "-" : F(peer.MedianMs, 3), peer is null ? "-" : F(peer.P95Ms, 3),
            peer is null ? "-" : $"{F(peer.MedianMs / mine.MedianMs, 2)}×");

    private static string ScoreName => $"score {LiMamlShape.Candidates} candidates (cached embedding)";

    private static string TopName => $"top-{LiMamlShape.Top} of {LiMamlShape.Items:N0} items (cached embedding), Score through libtorch";

    private static string RankName => $"top-{LiMamlShape.Top} of {LiMamlShape.Items:N0} items (cached embedding), catalogue ranker";

    private static string RefreshName(RefreshResult r) => $"refresh support {r.Support}, {r.InnerSteps} inner steps";

    private static string F(double value, int decimals) => value.ToString($"N{decimals}", CultureInfo.InvariantCulture);
}
