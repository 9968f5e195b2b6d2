using MetaRec.Core.Ranking;

namespace MetaRec.Core.Tests.Ranking;

public sealed class ReluMlpTailTests
{
    /// <summary>Random weights with sizes that are not multiples of the vector widths, so padding is exercised.</summary>
    private sealed record Weights(float[] ItemSide, int Items, int Hidden1, int Hidden2, float[] UserWeight, float[] Fc2Weight, float[] Fc2Bias, float[] OutWeight, float OutBias, float[] User)
    {
        public static Weights Random(int items, int hidden1, int hidden2, int seed)
        {
            var random = new Random(seed);
            float Next() => (float)(random.NextDouble() * 2 - 1);
            float[] Many(int n) => [.. Enumerable.Range(0, n).Select(_ => Next())];
            const int inputs = 11;
            return new Weights(Many(items * hidden1), items, hidden1, hidden2, Many(inputs * hidden1), Many(hidden1 * hidden2), Many(hidden2), Many(hidden2), Next(), Many(inputs));
        }

        public ReluMlpTail Tail(TailKernel kernel) => new(ItemSide, Items, UserWeight, Fc2Weight, Fc2Bias, OutWeight, OutBias, kernel);

        /// <summary>The network written out densely in double precision: the oracle.</summary>
        public double Logit(int item)
        {
            var h1 = new double[Hidden1];
            for (var k = 0; k < Hidden1; k++)
            {
                double share = 0;
                for (var e = 0; e < User.Length; e++)
                {
                    share += (double)User[e] * UserWeight[e * Hidden1 + k];
                }
                h1[k] = Math.Max(0, ItemSide[item * Hidden1 + k] + share);
            }
            double logit = OutBias;
            for (var j = 0; j < Hidden2; j++)
            {
                double sum = Fc2Bias[j];
                for (var k = 0; k < Hidden1; k++)
                {
                    sum += h1[k] * Fc2Weight[k * Hidden2 + j];
                }
                logit += Math.Max(0, sum) * OutWeight[j];
            }
            return logit;
        }
    }

    [Theory]
    [InlineData(nameof(TailKernel.Scalar))]
    [InlineData(nameof(TailKernel.Vector256))]
    [InlineData(nameof(TailKernel.Vector512))]
    public void Logits_match_the_dense_network(string kernelName)
    {
        var kernel = Enum.Parse<TailKernel>(kernelName);
        foreach (var (hidden1, hidden2) in new[] { (64, 64), (37, 70), (5, 3), (130, 129) })
        {
            var weights = Weights.Random(items: 53, hidden1, hidden2, seed: hidden1 + hidden2);
            var logits = new float[weights.Items];

            weights.Tail(kernel).Logits(weights.User, logits);

            for (var i = 0; i < weights.Items; i++)
            {
                var expected = weights.Logit(i);
                Assert.True(Math.Abs(logits[i] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"{hidden1}×{hidden2}, item {i}: {logits[i]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(nameof(TailKernel.Scalar))]
    [InlineData(nameof(TailKernel.Vector256))]
    [InlineData(nameof(TailKernel.Vector512))]
    public void Top_is_the_sorted_prefix_without_excluded_rows(string kernelName)
    {
        var kernel = Enum.Parse<TailKernel>(kernelName);
        var weights = Weights.Random(items: 500, hidden1: 64, hidden2: 64, seed: 3);
        var tail = weights.Tail(kernel);
        var all = new float[weights.Items];
        tail.Logits(weights.User, all);
        // Leave out the three best rows and one from elsewhere, so exclusion changes the answer.
        var excluded = Enumerable.Range(0, weights.Items).OrderByDescending(i => all[i]).Take(3).Append(250).ToHashSet();
        var expected = Enumerable.Range(0, weights.Items).Where(i => !excluded.Contains(i)).OrderByDescending(i => all[i]).ThenBy(i => i).Take(20).ToArray();

        var top = tail.Top(weights.User, 20, excluded);

        Assert.Equal(expected, top.Rows);
        Assert.Equal(expected.Select(i => 1 / (1 + MathF.Exp(-all[i]))), top.Scores);
    }

    [Fact]
    public void Ties_go_to_the_lower_row_and_a_short_catalogue_gives_what_it_has()
    {
        // Items 0, 2 and 4 are identical (equal logits); so are 1 and 3.
        var one = Weights.Random(items: 2, hidden1: 8, hidden2: 8, seed: 5);
        float[] side = [.. one.ItemSide[..8], .. one.ItemSide[8..], .. one.ItemSide[..8], .. one.ItemSide[8..], .. one.ItemSide[..8]];
        var tail = new ReluMlpTail(side, 5, one.UserWeight, one.Fc2Weight, one.Fc2Bias, one.OutWeight, one.OutBias);
        var firstWins = one.Logit(0) > one.Logit(1);

        var top = tail.Top(one.User, 10, excluded: new HashSet<int> { 2 });

        Assert.Equal(firstWins ? [0, 4, 1, 3] : new[] { 1, 3, 0, 4 }, top.Rows);
    }

    [Fact]
    public void Mismatched_sizes_name_the_argument()
    {
        var w = Weights.Random(items: 4, hidden1: 8, hidden2: 6, seed: 1);

        Assert.Equal("itemSide", Assert.Throws<ArgumentException>(() => new ReluMlpTail(w.ItemSide[..30], 4, w.UserWeight, w.Fc2Weight, w.Fc2Bias, w.OutWeight, 0)).ParamName);
        Assert.Equal("fc2Weight", Assert.Throws<ArgumentException>(() => new ReluMlpTail(w.ItemSide, 4, w.UserWeight, w.Fc2Weight[..47], w.Fc2Bias, w.OutWeight, 0)).ParamName);
        Assert.Equal("outWeight", Assert.Throws<ArgumentException>(() => new ReluMlpTail(w.ItemSide, 4, w.UserWeight, w.Fc2Weight, w.Fc2Bias, w.OutWeight[..5], 0)).ParamName);
        Assert.Equal("userWeight", Assert.Throws<ArgumentException>(() => new ReluMlpTail(w.ItemSide, 4, w.UserWeight[..13], w.Fc2Weight, w.Fc2Bias, w.OutWeight, 0)).ParamName);
        var tail = w.Tail(TailKernel.Scalar);
        Assert.Equal("user", Assert.Throws<ArgumentException>(() => tail.Top(w.User[..7], 3, null)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => tail.Logits(w.User, new float[3])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => tail.Top(w.User, 0, null));
    }
}
