using MetaRec.Core.Tensors;
using MetaRec.Plugins.Vq.Transfer;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Tests;

/// <summary>The similarity-rescaled meta step on small problems whose answers are known by hand or by finite differences.</summary>
public sealed class MetaStepTests
{
    public MetaStepTests() => TorchRuntime.EnsureInitialized();

    private static void Close(double[] expected, IReadOnlyList<double> actual, int digits)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], digits);
        }
    }

    private static MetaOptions Options(bool firstOrder = true, SimilaritySign sign = SimilaritySign.Aligned, SourceWeighting weighting = SourceWeighting.Rescaled, int steps = 1, float rate = 0.1f) =>
        new(steps, rate, firstOrder, Temperature: 0.05, sign, weighting);

    /// <summary>Σ (w − centre)², a bowl around <paramref name="centre"/>.</summary>
    private static Tensor Bowl(Tensor w, double[] centre) => w.sub(tensor(centre, dtype: w.dtype)).square().sum();

    private static MetaSource BowlSource(double[] centre) => new([], (shared, _) => Bowl(shared[0], centre));

    [Fact]
    public void A_source_whose_step_lowers_the_target_loss_weighs_more_when_aligned_and_less_when_raw()
    {
        using var scope = NewDisposeScope();
        // θ = 0, target bowl at (1, 0). Source A's bowl at (2, 0) steps θ towards the target;
        // source B's bowl at (−2, 0) steps it away.
        var theta = zeros(2, dtype: ScalarType.Float64).requires_grad_(true);
        MetaSource[] sources = [BowlSource([2, 0]), BowlSource([-2, 0])];
        Tensor Target(IReadOnlyList<Tensor> w) => Bowl(w[0], [1, 0]);

        var aligned = MetaStep.Run([theta], sources, Target, Options(sign: SimilaritySign.Aligned));
        var raw = MetaStep.Run([theta], sources, Target, Options(sign: SimilaritySign.Raw));

        // τ_A = −0.1 · 2(0 − (2, 0)) = (0.4, 0); g_A = 2((0.4, 0) − (1, 0)) = (−1.2, 0): cos(τ_A, g_A) = −1.
        Close([1.0, -1.0], aligned.Similarities, 9);
        Close([-1.0, 1.0], raw.Similarities, 9);
        Assert.True(aligned.Weights[0] > 0.99, $"aligned weights {aligned.Weights[0]}, {aligned.Weights[1]}");
        Assert.True(raw.Weights[1] > 0.99, $"raw weights {raw.Weights[0]}, {raw.Weights[1]}");
        // Target losses at φ: ‖(0.4, 0) − (1, 0)‖² = 0.36 and ‖(−0.4, 0) − (1, 0)‖² = 1.96.
        Close([0.36, 1.96], aligned.TargetLosses, 6);
    }

    [Fact]
    public void Weights_are_positive_sum_to_one_and_follow_the_similarities()
    {
        double[] similarities = [0.3, -0.2, 0.1, 0.3];

        foreach (var temperature in new[] { 0.01, 0.05, 0.1, 10 })
        {
            var weights = MetaStep.Softmax(similarities, temperature);
            Assert.Equal(1.0, weights.Sum(), 12);
            Assert.All(weights, w => Assert.True(w > 0));
            Assert.True(weights[0] > weights[2] && weights[2] > weights[1]);
            Assert.Equal(weights[0], weights[3], 12);
        }
        // A low temperature nearly picks the best sources; a high one is nearly uniform.
        Assert.True(MetaStep.Softmax(similarities, 0.01)[1] < 1e-10);
        Assert.All(MetaStep.Softmax(similarities, 1e6), w => Assert.Equal(0.25, w, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MetaStep.Softmax(similarities, 0));
    }

    [Fact]
    public void Uniform_weighting_ignores_the_similarities()
    {
        using var scope = NewDisposeScope();
        var theta = zeros(2, dtype: ScalarType.Float64).requires_grad_(true);

        var result = MetaStep.Run([theta], [BowlSource([2, 0]), BowlSource([-2, 0]), BowlSource([0, 3])], w => Bowl(w[0], [1, 0]), Options(weighting: SourceWeighting.Uniform));

        Close([1.0 / 3, 1.0 / 3, 1.0 / 3], result.Weights, 12);
        // Mean of the three target gradients at φ: 2(φᵢ − (1, 0)) with φ = (0.4, 0), (−0.4, 0), (0, 0.6).
        Close([2 * ((0.4 - 1) + (-0.4 - 1) + (0 - 1)) / 3, 2 * 0.6 / 3], result.MetaGradient[0].data<double>().ToArray(), 6);
    }

    /// <summary>Non-quadratic losses, so the second-order term is not trivial.</summary>
    private static Tensor SourceLoss(Tensor w, Tensor own) => w.sin().mul(own).sum().add(w.pow(4).sum(), Scalars.One);

    private static Tensor TargetLoss(Tensor w) => w.mul(tensor(new[] { 1.0, -2.0, 0.5 })).exp().sum();

    [Fact]
    public void Second_order_meta_gradient_matches_finite_differences_through_two_inner_steps()
    {
        using var scope = NewDisposeScope();
        double[] start = [0.3, -0.2, 0.5];
        double[] ownStart = [1.0, 0.5, -1.5];
        var theta = tensor(start).requires_grad_(true);
        var own = tensor(ownStart).requires_grad_(true);
        var source = new MetaSource([own], (shared, fastOwn) => SourceLoss(shared[0], fastOwn[0]));
        var options = Options(firstOrder: false, steps: 2, rate: 0.05f);

        var result = MetaStep.Run([theta], [source], w => TargetLoss(w[0]), options);

        // F(θ) = L_tgt(φ(θ)) with the same two SGD steps, in plain managed arithmetic.
        static double F(double[] t, double[] o, double rate)
        {
            var w = (double[])t.Clone();
            var v = (double[])o.Clone();
            for (var step = 0; step < 2; step++)
            {
                var gw = w.Select((x, k) => (Math.Cos(x) * v[k]) + (4 * Math.Pow(x, 3))).ToArray();
                var gv = w.Select(Math.Sin).ToArray();
                w = [.. w.Select((x, k) => x - (rate * gw[k]))];
                v = [.. v.Select((x, k) => x - (rate * gv[k]))];
            }
            double[] c = [1.0, -2.0, 0.5];
            return w.Select((x, k) => Math.Exp(c[k] * x)).Sum();
        }
        const double h = 1e-6;
        var rate = (double)options.InnerLearningRate;
        var numeric = start.Select((_, k) =>
        {
            var plus = (double[])start.Clone();
            var minus = (double[])start.Clone();
            plus[k] += h;
            minus[k] -= h;
            return (F(plus, ownStart, rate) - F(minus, ownStart, rate)) / (2 * h);
        }).ToArray();
        var analytic = result.MetaGradient[0].data<double>().ToArray();
        for (var k = 0; k < 3; k++)
        {
            Assert.True(Math.Abs(numeric[k] - analytic[k]) < 1e-6 * Math.Max(1, Math.Abs(numeric[k])), $"component {k}: autograd {analytic[k]}, finite differences {numeric[k]}");
        }
        // The first-order gradient is the target gradient at φ alone, so it differs here.
        var first = MetaStep.Run([theta], [source], w => TargetLoss(w[0]), options with { FirstOrder = true });
        Assert.NotEqual(analytic[0], first.MetaGradient[0].data<double>()[0], 3);
    }

    [Fact]
    public void First_order_meta_gradient_is_the_target_gradient_at_the_adapted_point_and_own_gradients_come_from_the_start()
    {
        using var scope = NewDisposeScope();
        var theta = tensor(new[] { 0.3, -0.2, 0.5 }).requires_grad_(true);
        var own = tensor(new[] { 1.0, 0.5, -1.5 }).requires_grad_(true);
        var source = new MetaSource([own], (shared, fastOwn) => SourceLoss(shared[0], fastOwn[0]));

        var result = MetaStep.Run([theta], [source], w => TargetLoss(w[0]), Options(firstOrder: true, steps: 1, rate: 0.05f));

        double[] t = [0.3, -0.2, 0.5];
        double[] o = [1.0, 0.5, -1.5];
        double[] c = [1.0, -2.0, 0.5];
        var phi = t.Select((x, k) => x - (0.05 * ((Math.Cos(x) * o[k]) + (4 * Math.Pow(x, 3))))).ToArray();
        Close([.. phi.Select((x, k) => c[k] * Math.Exp(c[k] * x))], result.MetaGradient[0].data<double>().ToArray(), 6);
        Close([.. t.Select(Math.Sin)], result.OwnGradients[0][0].data<double>().ToArray(), 9);
        Close([.. t.Select((x, k) => (Math.Cos(x) * o[k]) + (4 * Math.Pow(x, 3)))], result.SourceGradient[0].data<double>().ToArray(), 9);
        Assert.Null(theta.grad); // the step leaves gradients to the caller
    }
}
