using static TorchSharp.torch;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// The arithmetic floor of one MeLU meta-training step: multiply-adds of the decoder matmuls
/// only (element-wise work, the embedding gathers and Adam are left out), and the machine's
/// dense matmul rate to turn it into a time.
/// </summary>
internal static class FlopFloor
{
    /// <summary>
    /// Multiply-adds of one second-order MAML step that adapts every decoder layer (MeLU).
    /// <para>
    /// Per row, the decoder's forward is F = in·h1 + h1·h2 + h2·1 multiply-adds (fc1, fc2, out).
    /// The inner gradient with create_graph needs each layer's weight gradient (dW = Xᵀ·dY, F in
    /// all) plus the input gradients of fc2 and out to reach fc1 (h1·h2 + h2); fc1's input
    /// gradient is not needed there because the encoder does not adapt: G = F + h1·h2 + h2.
    /// The outer backward runs, for every matmul C = A·B of the inner forward and of the inner
    /// gradient, the two matmuls dA = dC·Bᵀ and dB = Aᵀ·dC (both operands depend on
    /// meta-parameters: activations on the encoder and earlier layers, weights on their
    /// initialisation), so it costs twice their forward: 2·(F + G) per support row and step.
    /// The query forward with adapted weights is F per row and its backward 2·F (weights and
    /// inputs of every layer, fc1's input for the encoder).
    /// </para>
    /// <para>
    /// Total = steps · 3 · (T·S) · (F + G) + 3 · (T·Q) · F.
    /// MeLU shape (T = 32 tasks, S = 50, Q = 10, in = 160, h1 = h2 = 64, one inner step):
    /// F = 160·64 + 64·64 + 64 = 14,400; G = 14,400 + 4,096 + 64 = 18,560;
    /// support: 1 · 3 · 1,600 · 32,960 = 158,208,000; query: 3 · 320 · 14,400 = 13,824,000;
    /// total 172,032,000 multiply-adds = 344.064 MFLOP (5 inner steps: 804,864,000 = 1.61 GFLOP).
    /// </para>
    /// </summary>
    public static long MeluStepMultiplyAdds(int tasks, int support, int query, int input, int hidden1, int hidden2, int innerSteps)
    {
        long forward = ((long)input * hidden1) + ((long)hidden1 * hidden2) + hidden2;
        var innerGradient = forward + ((long)hidden1 * hidden2) + hidden2;
        var supportRows = (long)tasks * support;
        var queryRows = (long)tasks * query;
        return (innerSteps * 3L * supportRows * (forward + innerGradient)) + (3L * queryRows * forward);
    }

    /// <summary>Times an n × n × n float32 matmul (2·n³ FLOP) in the current TorchSharp runtime.</summary>
    public static MatmulProbe MeasureMatmul(TimeProvider time, int size, int warmup, int repeats)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var a = randn(size, size);
        var b = randn(size, size);
        var timing = Timing.Measure(time, warmup, repeats, _ =>
        {
            using var product = a.mm(b);
        });
        var flop = 2.0 * size * size * size;
        return new MatmulProbe(size, timing, flop / (timing.MedianMs * 1e6));
    }
}

/// <summary>A measured dense matmul: <paramref name="Size"/>³, its timing and GFLOP/s at the median.</summary>
internal sealed record MatmulProbe(int Size, TimingSummary Timing, double Gflops);

/// <summary>One meta-training step set against its FLOP floor.</summary>
/// <param name="InnerSteps">Inner steps of the step measured.</param>
/// <param name="MultiplyAdds">Decoder multiply-adds of the step (see <see cref="FlopFloor.MeluStepMultiplyAdds"/>).</param>
/// <param name="StepMedianMs">Measured median step time.</param>
/// <param name="MatmulGflops">Measured dense matmul rate.</param>
internal sealed record FloorComparison(int InnerSteps, long MultiplyAdds, double StepMedianMs, double MatmulGflops)
{
    public double Gflop => 2.0 * MultiplyAdds / 1e9;

    /// <summary>The step's time if its matmuls ran at the dense matmul rate.</summary>
    public double FloorMs => Gflop / MatmulGflops * 1e3;

    public double AchievedGflops => Gflop / (StepMedianMs / 1e3);

    /// <summary>Achieved rate as a fraction of the dense matmul rate.</summary>
    public double FractionOfMatmul => AchievedGflops / MatmulGflops;

    /// <summary>Measured time over floor time (target: at most 3).</summary>
    public double TimesFloor => StepMedianMs / FloorMs;
}
