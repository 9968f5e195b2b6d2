using System.CommandLine;
using MetaRec.Cli.Benchmarks;
using MetaRec.Cli.Benchmarks.LiMaml;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary>
/// <c>metarec bench</c>: meta-training throughput, serving latency and the FLOP floor of the
/// embedding-MLP families at the MeLU shape, set against a plain PyTorch peer run in the same
/// invocation. Bad options exit 2 with one "error:" line naming the option.
/// </summary>
internal static class BenchCommand
{
    private const int MaxThreads = 1024;
    private const int MaxRepeats = 10_000;

    public static Command Create()
    {
        var threads = new Option<int>("--threads")
        {
            Description = "libtorch intra-op threads; the PyTorch peer gets the same.",
            DefaultValueFactory = _ => BenchSettings.DefaultThreads,
        };
        var repeats = new Option<int>("--repeats")
        {
            Description = $"Timed meta-training steps per configuration after {BenchSettings.DefaultWarmup} warm-up rounds (serving: 4× as many).",
            DefaultValueFactory = _ => BenchSettings.DefaultRepeats,
        };
        var quick = new Option<bool>("--quick")
        {
            Description = $"Smoke test: {BenchSettings.QuickRepeats} repetitions after {BenchSettings.QuickWarmup} warm-up (an explicit --repeats still wins).",
        };
        var peer = new Option<string>("--peer")
        {
            Description = "Python interpreter with torch for the PyTorch peer (/usr/bin/python3 where it exists, else python3).",
            DefaultValueFactory = _ => PeerProcess.DefaultInterpreter(),
        };
        var noPeer = new Option<bool>("--no-peer") { Description = "Skip the PyTorch peer." };
        var json = new Option<string?>("--json") { Description = "Also write every figure as JSON to this path." };
        var limaml = new Option<bool>("--limaml") { Description = "Run only the LiMAML refresh and scoring benchmark (with its PyTorch peer) instead of meta-training." };

        var command = new Command("bench", "Benchmark meta-training, adaptation and scoring at the MeLU shape against a plain PyTorch peer.")
        {
            threads, repeats, quick, peer, noPeer, json, limaml,
        };
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            var isQuick = result.GetValue(quick);
            var explicitRepeats = result.GetResult(repeats) is { Implicit: false };
            if (result.GetResult(noPeer) is { Implicit: false } && result.GetResult(peer) is { Implicit: false })
            {
                throw new ArgumentException("--peer and --no-peer cannot be combined");
            }
            var settings = new BenchSettings(
                InRange("--threads", result.GetValue(threads), 1, MaxThreads),
                isQuick ? BenchSettings.QuickWarmup : BenchSettings.DefaultWarmup,
                isQuick && !explicitRepeats ? BenchSettings.QuickRepeats : InRange("--repeats", result.GetValue(repeats), 1, MaxRepeats),
                isQuick,
                result.GetValue(noPeer) ? null : Interpreter(result.GetValue(peer)),
                JsonPath(result.GetValue(json)));
            return result.GetValue(limaml) ? LiMamlBench.Run(settings, cancellation) : Run(settings, cancellation);
        })));
        return command;
    }

    private static int Run(BenchSettings settings, CancellationToken cancellation)
    {
        var console = AnsiConsole.Console;
        var results = new BenchRunner(console, TimeProvider.System).Run(settings, cancellation);
        BenchTables.Write(console, results);
        return BenchJson.WriteFile(console, settings.JsonPath, results, BenchJsonContext.Default.BenchResults);
    }

    private static int InRange(string option, int value, int min, int max) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{option} must be between {min} and {max}, not {value}");

    private static string Interpreter(string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("--peer needs a path to a Python interpreter (or use --no-peer)") : value;

    private static string? JsonPath(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var full = Path.GetFullPath(value);
        return Directory.Exists(full) ? throw new ArgumentException($"--json '{full}' is a directory; give a file path") : full;
    }
}
