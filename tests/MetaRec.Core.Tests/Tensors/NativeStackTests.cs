using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Core.Tests.Tensors;

/// <summary>The native stack works end to end: libtorch loads, trains, and gives second-order gradients.</summary>
public sealed class NativeStackTests
{
    public NativeStackTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void TorchSharp_initialises_the_cpu_libtorch_from_the_package()
    {
        var info = TorchRuntime.EnsureInitialized();

        Assert.StartsWith("2.10", info.LibTorchVersion, StringComparison.Ordinal);
        Assert.True(info.Threads >= 1);
        using var scope = NewDisposeScope();
        Assert.Equal(12f, (ones(2, 2) * 3).sum().item<float>());
    }

    [Fact]
    public void A_small_mlp_trains_and_its_loss_drops()
    {
        using var scope = NewDisposeScope();
        // Seeded draws go through SeededInit's lock, so they cannot land inside another test's seeded build.
        var (x, model) = SeededInit.Build(7, () => (rand(256, 4) * 2 - 1, nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))));
        var y = (x[.., 0] * x[.., 1] + sin(x[.., 2] * 3) - x[.., 3]).unsqueeze(1);
        var optimizer = optim.Adam(model.parameters(), lr: 1e-2);

        var losses = new List<float>();
        for (var step = 0; step < 60; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.True(losses[^1] < 0.5f * losses[0], $"loss went {losses[0]} -> {losses[^1]}");
    }

    [Fact]
    public void Second_order_maml_gradient_of_a_linear_model_matches_the_hand_derivation()
    {
        // f(x) = x·w, support/query MSE. Inner step w' = w - a * grad Ls(w).
        // d Lq(w') / dw = (I - a * Hs) grad Lq(w'), with Hs = (2/n) Xsᵀ Xs.
        double[,] xs = { { 1.0, 0.5 }, { -0.3, 2.0 }, { 0.7, -1.2 } };
        double[] ys = { 1.0, -0.5, 0.25 };
        double[,] xq = { { 0.2, 1.1 }, { -1.0, 0.4 } };
        double[] yq = { 0.3, -0.8 };
        double[] w0 = { 0.4, -0.6 };
        const double Alpha = 0.3;

        var expected = HandMetaGradient(xs, ys, xq, yq, w0, Alpha, out var firstOrder);

        using var scope = NewDisposeScope();
        var w = tensor(w0, dtype: ScalarType.Float32).requires_grad_();
        var supportLoss = nn.functional.mse_loss(matmul(Tensor2(xs), w), tensor(ys, dtype: ScalarType.Float32));
        var innerGrad = autograd.grad([supportLoss], [w], retain_graph: true, create_graph: true)[0];
        var adapted = w - Alpha * innerGrad;
        var queryLoss = nn.functional.mse_loss(matmul(Tensor2(xq), adapted), tensor(yq, dtype: ScalarType.Float32));
        var metaGrad = autograd.grad([queryLoss], [w])[0].data<float>().ToArray();

        for (var i = 0; i < w0.Length; i++)
        {
            Assert.Equal(expected[i], metaGrad[i], 1e-5);
        }
        // The second-order term is really there: the first-order answer is measurably different.
        Assert.True(Math.Abs(expected[0] - firstOrder[0]) + Math.Abs(expected[1] - firstOrder[1]) > 1e-2);
    }

    private static Tensor Tensor2(double[,] values)
    {
        var flat = values.Cast<double>().Select(v => (float)v).ToArray();
        return tensor(flat, [values.GetLength(0), values.GetLength(1)]);
    }

    private static double[] HandMetaGradient(
        double[,] xs, double[] ys, double[,] xq, double[] yq, double[] w, double alpha, out double[] firstOrder)
    {
        int n = ys.Length, m = yq.Length, d = w.Length;
        var gradSupport = new double[d];
        for (var r = 0; r < n; r++)
        {
            var residual = Dot(xs, r, w) - ys[r];
            for (var j = 0; j < d; j++)
            {
                gradSupport[j] += 2.0 / n * residual * xs[r, j];
            }
        }
        var adapted = w.Select((v, j) => v - alpha * gradSupport[j]).ToArray();
        var gradQuery = new double[d];
        for (var r = 0; r < m; r++)
        {
            var residual = Dot(xq, r, adapted) - yq[r];
            for (var j = 0; j < d; j++)
            {
                gradQuery[j] += 2.0 / m * residual * xq[r, j];
            }
        }
        firstOrder = gradQuery;
        var result = new double[d];
        for (var i = 0; i < d; i++)
        {
            result[i] = gradQuery[i];
            for (var j = 0; j < d; j++)
            {
                double hessian = 0;
                for (var r = 0; r < n; r++)
                {
                    hessian += 2.0 / n * xs[r, i] * xs[r, j];
                }
                result[i] -= alpha * hessian * gradQuery[j];
            }
        }
        return result;
    }

    private static double Dot(double[,] x, int row, double[] w)
    {
        double sum = 0;
        for (var j = 0; j < w.Length; j++)
        {
            sum += x[row, j] * w[j];
        }
        return sum;
    }
}
