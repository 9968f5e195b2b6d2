using MetaRec.Core.MetaLearning;
using MetaRec.Core.Ranking;
using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Cli.Benchmarks.LiMaml;

/// <summary>One piece of the serving path timed on its own.</summary>
internal sealed record ProfilePart(string Part, TimingSummary Timing);

/// <summary>
/// Breaks full-catalogue scoring and the refresh input into parts, rebuilt here with random
/// weights of LiMAML's shapes (the network is internal to its plugin): building the input
/// tensors from managed arrays, the dense forward as <c>Score</c> runs it, the same forward with
/// the item side of fc1 precomputed per catalogue, and the managed top-10 selection.
/// </summary>
internal static class LiMamlProfile
{
    private const int Dim = 32;
    private const int Hidden = 64;

    public static IReadOnlyList<ProfilePart> Run(BenchSettings bench, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(time);
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var catalogue = LiMamlShape.Catalogue();
        var everything = Enumerable.Range(0, LiMamlShape.Items).ToArray();
        var user = LiMamlShape.Users(LiMamlShape.TargetSupport)[0];
        var itemEmbedding = randn(LiMamlShape.Items, Dim);
        var projection = randn(LiMamlShape.Genres, Dim);
        var features = tensor(catalogue.ItemFeatures, [LiMamlShape.Items, LiMamlShape.Genres]);
        var w1 = randn(Dim * 3, Hidden);
        var b1 = randn(Hidden);
        var w2 = randn(Hidden, Hidden);
        var b2 = randn(Hidden);
        var w3 = randn(Hidden, 1);
        var b3 = randn(1);
        var embedding = randn(1, Dim);
        var itemSide = Encode(arange(LiMamlShape.Items, dtype: ScalarType.Int64), itemEmbedding, projection, features)
            .matmul(w1.narrow(0, Dim, Dim * 2)).add(b1);
        var userWeight = w1.narrow(0, 0, Dim);
        var warmup = bench.Warmup;
        var repeats = bench.PerUserRepeats;
        var scores = new float[LiMamlShape.Items];
        var tail = new ReluMlpTail(itemSide.ToFloatArray(), LiMamlShape.Items, userWeight.contiguous().ToFloatArray(), w2.ToFloatArray(), b2.ToFloatArray(), w3.ToFloatArray(), b3.ToFloatArray()[0]);
        var userInput = embedding.ToFloatArray();
        return
        [
            new("TaskTensors.ForScoring for 9,742 items (managed Example list -> tensors)", Timing.Measure(time, warmup, repeats, _ =>
            {
                using var inner = NewDisposeScope();
                TaskTensors.ForScoring(user.UserFields, everything);
            })),
            new("dense forward as Score runs it (gathers, genres, cat, fc1, fc2, out, sigmoid, copy)", Timing.Measure(time, warmup, repeats, _ =>
            {
                using var inner = NewDisposeScope();
                var items = tensor(everything.Select(i => (long)i).ToArray());
                var encoded = Encode(items, itemEmbedding, projection, features);
                var x = cat([embedding.expand(encoded.shape[0], -1), encoded], -1);
                var h = nn.functional.relu(x.matmul(w1).add(b1));
                h = nn.functional.relu(h.matmul(w2).add(b2));
                scores = sigmoid(h.matmul(w3).add(b3)).reshape(-1).data<float>().ToArray();
            })),
            new("forward with item side of fc1 cached per catalogue (add, relu, fc2, out, sigmoid, copy)", Timing.Measure(time, warmup, repeats, _ =>
            {
                using var inner = NewDisposeScope();
                var h = nn.functional.relu(itemSide.add(embedding.matmul(userWeight)));
                h = nn.functional.relu(h.matmul(w2).add(b2));
                scores = sigmoid(h.matmul(w3).add(b3)).reshape(-1).data<float>().ToArray();
            })),
            new($"catalogue ranker: fc2 over the active fc1 units and top-10 in managed code ({tail.Kernel})", Timing.Measure(time, warmup, repeats, _ => tail.Top(userInput, LiMamlShape.Top, null))),
            new("top-10 partial selection over 9,742 floats (managed)", Timing.Measure(time, warmup, repeats, _ => TopK.Select(scores, LiMamlShape.Top))),
            new("TaskTensors.Support for one user, support 50", Timing.Measure(time, warmup, repeats, _ =>
            {
                using var inner = NewDisposeScope();
                TaskTensors.Support([user]);
            })),
        ];
    }

    private static Tensor Encode(Tensor items, Tensor itemEmbedding, Tensor projection, Tensor features)
    {
        var f = features.index_select(0, items);
        var genres = f.matmul(projection) / f.sum(-1, keepdim: true).clamp_min(1);
        return cat([itemEmbedding.index_select(0, items), genres], -1);
    }
}
