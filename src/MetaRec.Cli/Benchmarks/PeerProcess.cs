using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// Runs a plain-PyTorch peer script as a child process with the same thread count as the
/// TorchSharp side and parses the JSON it prints. Failures come back as a reason, never thrown
/// (cancellation is).
/// </summary>
internal static class PeerProcess
{
    private const string DebianPython = "/usr/bin/python3";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);

    /// <summary>Debian's python3 (which has python3-torch) when present, else whatever python3 is on PATH.</summary>
    public static string DefaultInterpreter() => File.Exists(DebianPython) ? DebianPython : "python3";

    /// <summary>The script next to the tool (Benchmarks/), else in the source tree, else under the working directory.</summary>
    public static string? FindScript(string scriptName)
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "Benchmarks", scriptName),
            Path.Combine(SourceDirectory(), scriptName),
            Path.Combine(Environment.CurrentDirectory, "src", "MetaRec.Cli", "Benchmarks", scriptName),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Runs <paramref name="scriptName"/> with <paramref name="arguments"/> and deserializes its standard output.</summary>
    public static (T? Report, string? Failure) Run<T>(
        string interpreter, string scriptName, int threads, IEnumerable<string> arguments, Func<string, T?> parse, CancellationToken cancellation)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(parse);
        var script = FindScript(scriptName);
        if (script is null)
        {
            return (null, $"{scriptName} not found next to the tool (Benchmarks/) or in the source tree");
        }
        var start = new ProcessStartInfo(interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--threads");
        start.ArgumentList.Add(Invariant(threads));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // OpenMP and BLAS pools size themselves from these before torch.set_num_threads runs.
        foreach (var variable in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS" })
        {
            start.Environment[variable] = Invariant(threads);
        }
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
                return (null, $"'{interpreter} {scriptName}' exited with {process.ExitCode}: {LastLine(stderr.Result)}");
            }
            var report = parse(stdout.Result);
            return report is null ? (null, "the peer printed no results") : (report, null);
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

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no error output)" : lines[^1];
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? string.Empty;
}
