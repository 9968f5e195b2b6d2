namespace MetaRec.Cli.Benchmarks;

/// <summary>How much to measure, and with what.</summary>
/// <param name="Threads">libtorch intra-op threads, also given to the PyTorch peer.</param>
/// <param name="Warmup">Untimed runs before each timed series.</param>
/// <param name="Repeats">Timed meta-training steps per configuration.</param>
/// <param name="Quick">Smoke-test mode (few repetitions).</param>
/// <param name="PeerInterpreter">Python interpreter for the PyTorch peer; null skips the peer.</param>
/// <param name="JsonPath">Where to write every figure as JSON; null writes nothing.</param>
internal sealed record BenchSettings(int Threads, int Warmup, int Repeats, bool Quick, string? PeerInterpreter, string? JsonPath)
{
    public const int DefaultThreads = 2;
    public const int DefaultRepeats = 30;
    public const int DefaultWarmup = 5;
    public const int QuickRepeats = 3;
    public const int QuickWarmup = 1;

    /// <summary>Adaptation and scoring are short: they get four times the repetitions.</summary>
    public int PerUserRepeats => Repeats * 4;

    /// <summary>Repetitions of the 1024³ matmul probe.</summary>
    public int MatmulRepeats => Math.Max(QuickRepeats, Repeats / 2);
}
