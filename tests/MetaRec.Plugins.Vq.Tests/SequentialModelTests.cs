using MetaRec.Abstractions;
using MetaRec.Core.Tensors;

namespace MetaRec.Plugins.Vq.Tests;

/// <summary>The sequential family beyond the conformance suite: its state, its next-item scores, and that it learns an order.</summary>
public sealed class SequentialModelTests
{
    private static readonly Dictionary<string, string> Small = new() { ["hidden"] = "16", ["max_length"] = "6", ["lr"] = "0.01", ["dropout"] = "0", ["loss"] = "softmax" };

    public SequentialModelTests() => TorchRuntime.EnsureInitialized();

    private static Catalogue Items(int count) => new(new FeatureSchema(count, 0, []), []);

    private static ISequentialModel Create(int items = 12, IReadOnlyDictionary<string, string>? settings = null) =>
        (ISequentialModel)new VqPlugin().Families.Single().Create(Items(items), settings ?? Small, seed: 5);

    private static UserTask Task(params int[] items) => new("u", [], [.. items.Select(i => new Example(i, 1, 1))], []);

    [Fact]
    public void A_seed_trains_the_same_model_while_other_models_train_and_draw_beside_it()
    {
        // Dropout and sampled negatives on, so training draws; three threads train at once, and
        // a fourth keeps drawing from libtorch's global generator the whole time.
        var drawing = new Dictionary<string, string>(Small) { ["dropout"] = "0.3", ["loss"] = "sampled", ["negatives"] = "4" };
        var sequences = Enumerable.Range(0, 6).Select(start => Enumerable.Range(0, 8).Select(k => (start + k) % 12).ToArray()).ToList();
        float[] TrainAndScore(int seed)
        {
            using var model = (SequentialModel)new VqPlugin().Families.Single().Create(Items(12), drawing, seed);
            for (var step = 0; step < 10; step++)
            {
                model.TrainStep(sequences);
            }
            return model.ScoreNext([[1, 2, 3]]);
        }
        var alone = TrainAndScore(5);

        using var stop = new CancellationTokenSource();
        var noise = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                TorchSharp.torch.rand(64);
            }
        });
        noise.Start();
        var results = new float[6][];
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            for (var i = t; i < results.Length; i += 3)
            {
                results[i] = TrainAndScore(i % 2 == 0 ? 5 : 6);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        stop.Cancel();
        noise.Join();

        for (var i = 0; i < results.Length; i += 2)
        {
            Assert.Equal(alone, results[i]);
        }
        Assert.NotEqual(alone, results[1]);
    }

    [Fact]
    public void State_is_the_recent_sequence_left_padded_without_immediate_repeats()
    {
        using var model = Create();

        Assert.Equal([-1f, -1f, -1f, 3, 1, 3], model.Adapt(Task(3, 1, 1, 3)).Values);
        Assert.Equal([2f, 3, 4, 5, 6, 7], model.Adapt(Task(0, 1, 2, 3, 4, 5, 6, 7)).Values);
        Assert.Equal(6, model.Info.AdaptiveParameters);
        Assert.Throws<ArgumentException>(() => model.Score([], new UserState([-1f, -1, -1, -1, -1, 2.5f]), [1]));
        Assert.Throws<ArgumentException>(() => model.Score([], new UserState([-1f, -1, -1, -1, -1, 12]), [1]));
    }

    [Fact]
    public void Next_item_scores_rank_like_the_served_scores_and_read_only_the_recent_items()
    {
        using var model = Create();
        int[] history = [1, 2, 3, 4, 5, 6, 7, 8];

        var logits = model.ScoreNext([history, [], [4, 5, 6, 7, 8]]);
        var served = model.Score([], model.Adapt(Task(history)), [.. Enumerable.Range(0, 12)]);

        Assert.Equal(36, logits.Length);
        var row = logits[..12];
        Assert.Equal(Enumerable.Range(0, 12).OrderBy(i => row[i]), Enumerable.Range(0, 12).OrderBy(i => served[i]));
        // Only the last max_length (6) items count, so [1 .. 8] and [3 .. 8] score alike.
        Assert.All(row.Zip(model.ScoreNext([[3, 4, 5, 6, 7, 8]])), p => Assert.Equal(p.First, p.Second, 5));
        Assert.NotEqual(row, logits[24..]);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ScoreNext([[1, 12]]));
    }

    [Fact]
    public void Training_on_a_fixed_order_makes_the_next_item_rank_first()
    {
        using var model = (SequentialModel)Create(items: 20);
        // Every user walks the same cycle 0 -> 1 -> ... -> 9 -> 0, from different starting points.
        var sequences = Enumerable.Range(0, 10).Select(start => Enumerable.Range(0, 12).Select(k => (start + k) % 10).ToArray()).ToList();
        var before = model.ScoreNext([[3, 4, 5]]);

        for (var step = 0; step < 60; step++)
        {
            model.TrainStep(sequences);
        }

        var after = model.ScoreNext([[3, 4, 5]]);
        Assert.Equal(6, Array.IndexOf(after, after.Max()));
        Assert.True(Probability(before, 6) < 0.2, $"before training p(6) = {Probability(before, 6)}");
        Assert.True(Probability(after, 6) > 0.8, $"after training p(6) = {Probability(after, 6)}");
    }

    private static double Probability(float[] logits, int item)
    {
        var max = logits.Max();
        return Math.Exp(logits[item] - max) / logits.Sum(l => Math.Exp(l - max));
    }
}
