using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Core.Tests.Tensors;

/// <summary>A seed gives the same initial weights even while other threads build models.</summary>
public sealed class SeededInitTests
{
    public SeededInitTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void Models_built_at_once_on_many_threads_match_the_one_built_alone()
    {
        using var alone = SeededInit.Build(7, Network);
        var expected = Weights(alone);

        var built = new nn.Module<Tensor, Tensor>[60];
        try
        {
            // Three threads at once, each building its share with its own seed.
            var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
            {
                for (var i = t; i < built.Length; i += 3)
                {
                    built[i] = SeededInit.Build(7 + t, Network);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            for (var i = 0; i < built.Length; i += 3)
            {
                Assert.Equal(expected, Weights(built[i]));
            }
            Assert.NotEqual(expected, Weights(built[1]));
        }
        finally
        {
            foreach (var module in built)
            {
                module?.Dispose();
            }
        }
    }

    /// <summary>A few layers, so a build lasts long enough for another thread's seed to land inside it.</summary>
    private static nn.Module<Tensor, Tensor> Network() =>
        nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 128));

    private static float[] Weights(nn.Module<Tensor, Tensor> module) =>
        [.. module.parameters().SelectMany(p => p.data<float>().ToArray())];
}
