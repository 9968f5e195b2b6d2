using System.Globalization;
using System.Text.Json;

namespace MetaRec.Cli.Benchmarks.LiMaml;

/// <summary>
/// Runs <c>limaml_peer.py</c>, the same refresh and scoring in plain PyTorch, as a child process
/// with the same thread count, and reads the JSON it prints.
/// </summary>
internal static class LiMamlPeer
{
    public const string ScriptName = "limaml_peer.py";

    /// <summary>Runs the peer; a failure is returned as a reason, never thrown (cancellation is).</summary>
    public static (LiMamlPeerReport? Report, string? Failure) Run(string interpreter, BenchSettings bench, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(bench);
        string[] arguments =
        [
            "--warmup", PeerProcess.Invariant(bench.Warmup),
            "--repeats", PeerProcess.Invariant(bench.PerUserRepeats),
            "--items", PeerProcess.Invariant(LiMamlShape.Items),
            "--genres", PeerProcess.Invariant(LiMamlShape.Genres),
            "--user-fields", string.Join(',', LiMamlShape.UserFieldCardinalities),
            "--supports", string.Join(',', LiMamlShape.Supports),
            "--inner-steps", string.Join(',', LiMamlShape.InnerSteps),
            "--inner-lr", LiMamlShape.InnerLearningRate.ToString(CultureInfo.InvariantCulture),
            "--candidates", PeerProcess.Invariant(LiMamlShape.Candidates),
            "--top", PeerProcess.Invariant(LiMamlShape.Top),
        ];
        return PeerProcess.Run(
            interpreter,
            ScriptName,
            bench.Threads,
            arguments,
            text => JsonSerializer.Deserialize(text, LiMamlJsonContext.Default.LiMamlPeerReport) is { Refresh.Count: > 0 } parsed ? parsed : null,
            cancellation);
    }
}

/// <summary>What <c>limaml_peer.py</c> prints.</summary>
internal sealed record LiMamlPeerReport(
    string TorchVersion, int Threads, string Python, IReadOnlyList<RefreshResult> Refresh, TimingSummary Score, TimingSummary CatalogueTop);
