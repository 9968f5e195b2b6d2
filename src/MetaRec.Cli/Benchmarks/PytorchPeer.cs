using System.Text.Json;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// Runs <c>pytorch_peer.py</c>, the same meta-training step written in plain PyTorch (batched over
/// tasks and looped over them, interleaved), as a child process with the same thread count, and
/// reads the JSON it prints.
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
            "--variant", "both",
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
/// <param name="Blas">The BLAS the peer's torch called; null from a peer that does not say.</param>
/// <param name="MatmulGflops">The peer's 1024³ float32 matmul rate (its BLAS).</param>
/// <param name="Results">One entry per configuration and variant.</param>
internal sealed record PeerReport(string TorchVersion, int Threads, string Python, PeerBlas? Blas, double MatmulGflops, IReadOnlyList<PeerResult> Results);

/// <summary>The BLAS loaded in the peer's process, read after its first matmul.</summary>
/// <param name="Library">The mapped file that libblas.so.3 resolved to; null when none is mapped.</param>
/// <param name="RealPath">That file with its symbolic links resolved.</param>
/// <param name="Package">The Debian package and version that owns it.</param>
/// <param name="Version">The library's own description (OpenBLAS's configuration string, BLIS's version); null for the reference BLAS.</param>
/// <param name="Threads">The library's own thread count, where it has one.</param>
/// <param name="Loaded">Every mapped BLAS-like library (blas, blis, mkl in the name).</param>
/// <param name="TorchBlasInfo">torch's build-time BLAS_INFO (Debian's torch: generic, so libblas.so.3).</param>
/// <param name="Environment">The BLAS and OpenMP thread variables the peer ran with.</param>
internal sealed record PeerBlas(
    string? Library, string? RealPath, string? Package, string? Version, int? Threads, IReadOnlyList<string> Loaded, string? TorchBlasInfo,
    IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>One line: package (or file), version, threads and environment.</summary>
    public string Describe() =>
        $"{Package ?? Library ?? "no libblas.so.3 mapped"}{(Version is null ? "" : $" ({Version})")}, " +
        $"{(Threads is { } threads ? $"{threads} BLAS threads" : "BLAS threads n/a")}, torch BLAS_INFO={TorchBlasInfo ?? "n/a"}, " +
        $"env {(Environment.Count == 0 ? "none" : string.Join(' ', Environment.Select(e => $"{e.Key}={e.Value}")))}";
}

/// <summary>One peer configuration: the same step and shape as a <see cref="TrainingCase"/>.</summary>
/// <param name="Variant">batched (over tasks, bmm) or looped (a Python loop over the tasks); null from an older peer (batched).</param>
/// <param name="Family">Model family.</param>
/// <param name="InnerSteps">Inner SGD steps.</param>
/// <param name="FirstOrder">First-order MAML.</param>
/// <param name="TasksPerStep">Tasks per meta-training step.</param>
/// <param name="StepMsMedian">Median step time.</param>
/// <param name="StepMsP95">95th-percentile step time.</param>
/// <param name="TasksPerSecondMedian">Tasks per second at the median.</param>
/// <param name="TasksPerSecondP95">Tasks per second at the p95.</param>
internal sealed record PeerResult(
    string? Variant, string Family, int InnerSteps, bool FirstOrder, int TasksPerStep, double StepMsMedian, double StepMsP95, double TasksPerSecondMedian, double TasksPerSecondP95)
{
    public const string Batched = "batched";
    public const string Looped = "looped";

    public bool IsLooped => Variant == Looped;
}
