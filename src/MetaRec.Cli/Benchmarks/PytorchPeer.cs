using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// Runs <c>pytorch_peer.py</c>, the same meta-training step written in plain PyTorch, as a
/// child process with the same thread count, and reads the JSON it prints.
/// </summary>
internal static class PytorchPeer
{
    public const string ScriptName = "pytorch_peer.py";
    private const string DebianPython = "/usr/bin/python3";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    /// <summary>Debian's interpreter (where <c>python3-torch</c> installs) when present, else <c>python3</c> on PATH.</summary>
    public static string DefaultInterpreter() => File.Exists(DebianPython) ? DebianPython : "python3";

    /// <summary>
    /// The script next to the tool (<c>Benchmarks/pytorch_peer.py</c> under the app folder), else in
    /// the source tree this was built from, else under the working directory; null if none exists.
    /// </summary>
    public static string? FindScript()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "Benchmarks", ScriptName),
            Path.Combine(SourceDirectory(), ScriptName),
            Path.Combine(Environment.CurrentDirectory, "src", "MetaRec.Cli", "Benchmarks", ScriptName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Runs the peer; a failure is returned as a reason, never thrown (cancellation is).</summary>
    public static PeerOutcome Run(string interpreter, BenchSettings bench, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentNullException.ThrowIfNull(bench);
        var script = FindScript();
        if (script is null)
        {
            return PeerOutcome.Failed($"{ScriptName} not found next to the tool (Benchmarks/) or in the source tree");
        }
        var start = new ProcessStartInfo(interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            script,
            "--threads", Invariant(bench.Threads),
            "--warmup", Invariant(bench.Warmup),
            "--repeats", Invariant(bench.Repeats),
            "--tasks", Invariant(MeluShape.TasksPerStep),
            "--support", Invariant(MeluShape.Support),
            "--query", Invariant(MeluShape.Query),
            "--embedding-dim", Invariant(MeluShape.EmbeddingDim),
            "--hidden1", Invariant(MeluShape.Hidden1),
            "--hidden2", Invariant(MeluShape.Hidden2),
            "--items", Invariant(MeluShape.Items),
            "--genres", Invariant(MeluShape.Genres),
            "--user-fields", string.Join(',', MeluShape.UserFieldCardinalities),
        ])
        {
            start.ArgumentList.Add(argument);
        }
        // OpenMP and BLAS pools size themselves from these before torch.set_num_threads runs.
        start.Environment["OMP_NUM_THREADS"] = Invariant(bench.Threads);
        start.Environment["OPENBLAS_NUM_THREADS"] = Invariant(bench.Threads);
        start.Environment["MKL_NUM_THREADS"] = Invariant(bench.Threads);
        try
        {
            using var process = Process.Start(start) ?? throw new Win32Exception($"could not start '{interpreter}'");
            using var stop = cancellation.Register(() => process.Kill(entireProcessTree: true));
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                return PeerOutcome.Failed($"the peer ran longer than {Limit.TotalMinutes} minutes and was stopped");
            }
            process.WaitForExit();
            cancellation.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                return PeerOutcome.Failed($"'{interpreter} {ScriptName}' exited with {process.ExitCode}: {LastLine(stderr.Result)}");
            }
            var report = JsonSerializer.Deserialize(stdout.Result, BenchJsonContext.Default.PeerReport);
            return report is null || report.Results.Count == 0
                ? PeerOutcome.Failed("the peer printed no results")
                : new PeerOutcome(report, null);
        }
        catch (Win32Exception e)
        {
            return PeerOutcome.Failed($"cannot run '{interpreter}': {e.Message}");
        }
        catch (JsonException e)
        {
            return PeerOutcome.Failed($"the peer's output is not the expected JSON: {e.Message}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no error output)" : lines[^1];
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? string.Empty;
}

/// <summary>The peer's report, or why there is none.</summary>
internal sealed record PeerOutcome(PeerReport? Report, string? Failure)
{
    public static PeerOutcome Failed(string reason) => new(null, reason);

    public static PeerOutcome Skipped { get; } = new(null, "skipped (--no-peer)");
}

/// <summary>What <c>pytorch_peer.py</c> prints.</summary>
/// <param name="TorchVersion">PyTorch's version.</param>
/// <param name="Threads">torch.get_num_threads() after set_num_threads.</param>
/// <param name="Python">Interpreter version.</param>
/// <param name="MatmulGflops">The peer's 1024³ float32 matmul rate (its BLAS).</param>
/// <param name="Results">One entry per configuration.</param>
internal sealed record PeerReport(string TorchVersion, int Threads, string Python, double MatmulGflops, IReadOnlyList<PeerResult> Results);

/// <summary>One peer configuration: the same step and shape as a <see cref="TrainingCase"/>.</summary>
internal sealed record PeerResult(
    string Family, int InnerSteps, bool FirstOrder, int TasksPerStep, double StepMsMedian, double StepMsP95, double TasksPerSecondMedian, double TasksPerSecondP95);
