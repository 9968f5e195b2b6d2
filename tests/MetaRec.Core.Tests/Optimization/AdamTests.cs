using MetaRec.Core.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Adam = MetaRec.Core.Optimization.Adam;

namespace MetaRec.Core.Tests.Optimization;

public sealed class AdamTests
{
    public AdamTests() => TorchRuntime.EnsureInitialized();

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Matches_torch_optim_adam_step_for_step(double weightDecay)
    {
        float[] start = [0.5f, -1.5f, 2f, 0.1f];
        using var ours = new Parameter(tensor(start), requires_grad: true);
        using var reference = new Parameter(tensor(start), requires_grad: true);
        using var adam = new Adam([ours], learningRate: 0.05, weightDecay: weightDecay);
        using var torchAdam = optim.Adam([reference], lr: 0.05, weight_decay: weightDecay);

        for (var step = 0; step < 25; step++)
        {
            using var scope = NewDisposeScope();
            adam.ZeroGrad();
            Loss(ours).backward();
            adam.Step();
            torchAdam.zero_grad();
            Loss(reference).backward();
            torchAdam.step();
        }

        var expected = reference.data<float>().ToArray();
        var actual = ours.data<float>().ToArray();
        for (var i = 0; i < start.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5);
        }
        Assert.NotEqual(start, actual);
    }

    [Fact]
    public void Parameters_without_gradient_are_left_alone()
    {
        using var used = new Parameter(tensor(new[] { 1f }), requires_grad: true);
        using var unused = new Parameter(tensor(new[] { 3f }), requires_grad: true);
        using var adam = new Adam([used, unused], learningRate: 0.1);
        using var scope = NewDisposeScope();
        (used * used).sum().backward();
        adam.Step();
        Assert.Equal(3f, unused.item<float>());
        Assert.NotEqual(1f, used.item<float>());
    }

    private static Tensor Loss(Tensor x) => ((x - tensor(new[] { 1f, 2f, -1f, 0f })).pow(2) * tensor(new[] { 1f, 3f, 0.5f, 2f })).sum();
}
