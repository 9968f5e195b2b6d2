using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MetaRec.Cli.Benchmarks.LiMaml;

/// <summary>
/// Runs <c>limaml_peer.py</c>, the same refresh and scoring in plain PyTorch, as a child process
/// with the same thread count, and reads the JSON it prints.
/// </summary>
internal static class LiMamlPeer
{
    public const string ScriptName = "limaml_peer.py";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    /// <summary>The script next to the tool, else in the source tree, else under the working directory.</summary>
    public static string? FindScript()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "Benchmarks", ScriptName),
            Path.Combine(Path.GetDirectoryName(SourceDirectory()) ?? string.Empty, ScriptName),
            Path.Combine(Environment.CurrentDirectory, "src", "MetaRec.Cli", "Benchmarks", ScriptName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Runs the peer; a failure is returned as a reason, never thrown (cancellation is).</summary>
    public static (LiMamlPeerReport? Report, string? Failure) Run(string interpreter, BenchSettings bench, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentNullException.ThrowIfNull(bench);
        var script = FindScript();
        if (script is null)
        {
            return (null, $"{ScriptName} not found next to the tool (Benchmarks/) or in the source tree");
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
            "--repeats", Invariant(bench.PerUserRepeats),
            "--items", Invariant(LiMamlShape.Items),
            "--genres", Invariant(LiMamlShape.Genres),
            "--user-fields", string.Join(',', LiMamlShape.UserFieldCardinalities),
            "--supports", string.Join(',', LiMamlShape.Supports),
            "--inner-steps", string.Join(',', LiMamlShape.InnerSteps),
            "--inner-lr", LiMamlShape.InnerLearningRate.ToString(CultureInfo.InvariantCulture),
            "--candidates", Invariant(LiMamlShape.Candidates),
            "--top", Invariant(LiMamlShape.Top),
        ])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["OMP_NUM_THREADS"] = Invariant(bench.Threads);
        start.Environment["OPENBLAS_NUM_THREADS"] = Invariant(bench.Threads);
        start.Environment["MKL_NUM_THREADS"] = Invariant(bench.Threads);
        try
        {
            using var process = Process.Start(start) ?? throw new Win32Exception($"could not start '{interpreter}'");
            using var stop = cancellation.Register(() => process.Kill(entireProcessTree: true));
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                return (null, $"the peer ran longer than {Limit.TotalMinutes} minutes and was stopped");
            }
            process.WaitForExit();
            cancellation.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
            {
                var lines = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return (null, $"'{interpreter} {ScriptName}' exited with {process.ExitCode}: {(lines.Length == 0 ? "(no error output)" : lines[^1])}");
            }
            var report = JsonSerializer.Deserialize(stdout.Result, LiMamlJsonContext.Default.LiMamlPeerReport);
            return report is null || report.Refresh.Count == 0 ? (null, "the peer printed no results") : (report, null);
        }
        catch (Win32Exception e)
        {
            return (null, $"cannot run '{interpreter}': {e.Message}");
        }
        catch (JsonException e)
        {
            return (null, $"the peer's output is not the expected JSON: {e.Message}");
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? string.Empty;
}

/// <summary>What <c>limaml_peer.py</c> prints.</summary>
internal sealed record LiMamlPeerReport(
    string TorchVersion, int Threads, string Python, IReadOnlyList<RefreshResult> Refresh, TimingSummary Score, TimingSummary CatalogueTop);
