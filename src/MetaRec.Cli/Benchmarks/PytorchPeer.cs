using System.Text.Json;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// Runs <c>pytorch_peer.py</c>, the same meta-training step written in plain PyTorch, as a
/// child process with the same thread count, and reads the JSON it prints.
/// </summary>
internal static class PytorchPeer
{
    public const string ScriptName = "pytorch_peer.py";

    /// <summary>Runs the peer of the meta-training step; a failure is returned as a reason, never thrown (cancellation is).</summary>
    public static PeerOutcome Run(string interpreter, BenchSettings bench, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(bench);
        string[] arguments =
        [
            "--warmup", PeerProcess.Invariant(bench.Warmup),
            "--repeats", PeerProcess.Invariant(bench.Repeats),
            "--tasks", PeerProcess.Invariant(MeluShape.TasksPerStep),
            "--support", PeerProcess.Invariant(MeluShape.Support),
            "--query", PeerProcess.Invariant(MeluShape.Query),
            "--embedding-dim", PeerProcess.Invariant(MeluShape.EmbeddingDim),
            "--hidden1", PeerProcess.Invariant(MeluShape.Hidden1),
            "--hidden2", PeerProcess.Invariant(MeluShape.Hidden2),
            "--items", PeerProcess.Invariant(MeluShape.Items),
            "--genres", PeerProcess.Invariant(MeluShape.Genres),
            "--user-fields", string.Join(',', MeluShape.UserFieldCardinalities),
        ];
        var (report, failure) = PeerProcess.Run(
            interpreter,
            ScriptName,
            bench.Threads,
            arguments,
            text => JsonSerializer.Deserialize(text, BenchJsonContext.Default.PeerReport) is { Results.Count: > 0 } parsed ? parsed : null,
            cancellation);
        return report is null ? PeerOutcome.Failed(failure!) : new PeerOutcome(report, null);
    }
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
