using MetaRec.Abstractions;

namespace MetaRec.Cli.Benchmarks.LiMaml;

/// <summary>One refresh configuration: support size × inner steps, and its timing.</summary>
internal sealed record RefreshResult(int Support, int InnerSteps, TimingSummary Refresh);

/// <summary>What the TorchSharp side of <c>metarec bench --limaml</c> measures.</summary>
/// <param name="UserStateBytes">Per-user state the model reports (<see cref="ModelInfo.UserStateBytes"/>).</param>
/// <param name="MeasuredStateBytes">Bytes of the state <see cref="IRecModel.Adapt"/> returned.</param>
/// <param name="Refresh">One entry per support size × inner steps.</param>
/// <param name="Score">Scoring <see cref="LiMamlShape.Candidates"/> candidates with the cached embedding.</param>
/// <param name="CatalogueTop">Scoring every item through libtorch and selecting the top <see cref="LiMamlShape.Top"/>.</param>
/// <param name="CatalogueRank">The same top <see cref="LiMamlShape.Top"/> from <see cref="ICatalogueRanker.Rank"/> (managed SIMD): what serving runs.</param>
internal sealed record LiMamlServing(
    long UserStateBytes, int MeasuredStateBytes, IReadOnlyList<RefreshResult> Refresh, TimingSummary Score, TimingSummary CatalogueTop, TimingSummary CatalogueRank);

/// <summary>
/// The LiMAML serving shape: a catalogue of ml-latest-small's size (9,742 items, 20 multi-hot
/// genres), MovieLens-1M-style user fields, support sizes 10 / 50 / 100 and inner steps
/// 1 / 3 / 5, 100 candidates, top 10 over the catalogue. The peer script gets the same numbers.
/// </summary>
internal static class LiMamlShape
{
    public const int Items = 9742;
    public const int Genres = 20;
    public const int Candidates = 100;
    public const int Top = 10;
    public const int DistinctUsers = 64;
    public const int TargetSupport = 50;
    public const int TargetSteps = 3;
    public const float InnerLearningRate = 0.5f;

    public static readonly int[] UserFieldCardinalities = [7, 2, 21];
    public static readonly int[] Supports = [10, 50, 100];
    public static readonly int[] InnerSteps = [1, 3, 5];

    /// <summary>Items with one to three genres each (the peer draws the same way).</summary>
    public static Catalogue Catalogue(int seed = 7) => SyntheticCatalogue.Create(Items, Genres, UserFieldCardinalities, seed);

    /// <summary>Users with <paramref name="support"/> random support examples each (labels 0/1).</summary>
    public static IReadOnlyList<UserTask> Users(int support, int seed = 31)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, DistinctUsers).Select(u => new UserTask(
            $"limaml-bench-{u}",
            [.. UserFieldCardinalities.Select(c => random.Next(c))],
            [.. Enumerable.Range(0, support).Select(_ =>
            {
                var label = random.Next(2);
                return new Example(random.Next(Items), label, label > 0 ? 4f : 2f);
            })],
            []))];
    }

    public static Dictionary<string, string> Settings(int innerSteps) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["inner_steps"] = $"{innerSteps}",
        ["inner_lr"] = "0.5",
    };
}

/// <summary>
/// Times the LiMAML refresh (<see cref="IRecModel.Adapt"/>) for every support size × inner steps
/// (one model per inner-step setting), scoring 100 candidates with the cached embedding, and
/// scoring the whole catalogue with a top-10 partial selection. Configurations are interleaved:
/// each round refreshes one user in every configuration, then scores with its embedding.
/// </summary>
internal static class LiMamlServingBenchmark
{
    public static LiMamlServing Run(IModelFamily family, BenchSettings bench, TimeProvider time, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(time);
        var catalogue = LiMamlShape.Catalogue();
        var maxSupport = LiMamlShape.Supports.Max();
        var full = LiMamlShape.Users(maxSupport);
        var users = LiMamlShape.Supports.Select(s => full.Select(u => u with { Support = [.. u.Support.Take(s)] }).ToArray()).ToArray();
        var random = new Random(41);
        var candidates = Enumerable.Range(0, LiMamlShape.DistinctUsers)
            .Select(_ => Enumerable.Range(0, LiMamlShape.Candidates).Select(_ => random.Next(LiMamlShape.Items)).ToArray())
            .ToArray();
        var everything = Enumerable.Range(0, LiMamlShape.Items).ToArray();
        var repeats = bench.PerUserRepeats;
        var models = new List<IRecModel>(LiMamlShape.InnerSteps.Length);
        try
        {
            foreach (var steps in LiMamlShape.InnerSteps)
            {
                models.Add(family.Create(catalogue, LiMamlShape.Settings(steps), seed: 1));
            }
            var refresh = new double[models.Count, LiMamlShape.Supports.Length][];
            for (var m = 0; m < models.Count; m++)
            {
                for (var s = 0; s < LiMamlShape.Supports.Length; s++)
                {
                    refresh[m, s] = new double[repeats];
                }
            }
            var score = new double[repeats];
            var top = new double[repeats];
            var rank = new double[repeats];
            var stateBytes = 0;
            var targetModel = Array.IndexOf(LiMamlShape.InnerSteps, LiMamlShape.TargetSteps);
            var targetSupport = Array.IndexOf(LiMamlShape.Supports, LiMamlShape.TargetSupport);
            for (var round = 0; round < bench.Warmup + repeats; round++)
            {
                cancellation.ThrowIfCancellationRequested();
                var u = round % LiMamlShape.DistinctUsers;
                var timed = round - bench.Warmup;
                UserState? cached = null;
                for (var m = 0; m < models.Count; m++)
                {
                    for (var s = 0; s < LiMamlShape.Supports.Length; s++)
                    {
                        var start = time.GetTimestamp();
                        var state = models[m].Adapt(users[s][u]);
                        var elapsed = time.GetElapsedTime(start).TotalMilliseconds;
                        if (timed >= 0)
                        {
                            refresh[m, s][timed] = elapsed;
                        }
                        if (m == targetModel && s == targetSupport)
                        {
                            cached = state;
                            stateBytes = state.Bytes;
                        }
                    }
                }
                var scorer = models[targetModel];
                var fields = users[targetSupport][u].UserFields;
                var begin = time.GetTimestamp();
                var scores = scorer.Score(fields, cached, candidates[u]);
                var scored = time.GetElapsedTime(begin).TotalMilliseconds;
                if (scores.Length != LiMamlShape.Candidates)
                {
                    throw new InvalidOperationException($"limaml returned {scores.Length} scores for {LiMamlShape.Candidates} candidates");
                }
                begin = time.GetTimestamp();
                var best = TopK.Select(scorer.Score(fields, cached, everything), LiMamlShape.Top);
                var ranked = time.GetElapsedTime(begin).TotalMilliseconds;
                if (best.Length != LiMamlShape.Top)
                {
                    throw new InvalidOperationException($"top-{LiMamlShape.Top} selection returned {best.Length} items");
                }
                var ranker = (ICatalogueRanker)scorer;
                begin = time.GetTimestamp();
                var managed = ranker.Rank(fields, cached, LiMamlShape.Top, null);
                var rankedManaged = time.GetElapsedTime(begin).TotalMilliseconds;
                if (managed.Rows[0] != best[0])
                {
                    throw new InvalidOperationException($"the catalogue ranker's best item {managed.Rows[0]} differs from the scores' best {best[0]}");
                }
                if (timed >= 0)
                {
                    score[timed] = scored;
                    top[timed] = ranked;
                    rank[timed] = rankedManaged;
                }
            }
            var results = new List<RefreshResult>();
            for (var m = 0; m < models.Count; m++)
            {
                for (var s = 0; s < LiMamlShape.Supports.Length; s++)
                {
                    results.Add(new RefreshResult(LiMamlShape.Supports[s], LiMamlShape.InnerSteps[m], TimingSummary.From(refresh[m, s])));
                }
            }
            return new LiMamlServing(models[targetModel].Info.UserStateBytes, stateBytes, results, TimingSummary.From(score), TimingSummary.From(top), TimingSummary.From(rank));
        }
        finally
        {
            foreach (var model in models)
            {
                model.Dispose();
            }
        }
    }
}

/// <summary>Top-k by partial selection: one pass keeping the k best in a small sorted buffer.</summary>
internal static class TopK
{
    /// <summary>Indices of the <paramref name="k"/> highest scores, best first (ties: lower index first).</summary>
    public static int[] Select(float[] scores, int k)
    {
        ArgumentNullException.ThrowIfNull(scores);
        k = Math.Min(k, scores.Length);
        if (k <= 0)
        {
            return [];
        }
        var index = new int[k];
        var value = new float[k];
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var score = scores[i];
            if (count == k && !(score > value[k - 1]))
            {
                continue;
            }
            var position = count == k ? k - 1 : count++;
            while (position > 0 && score > value[position - 1])
            {
                value[position] = value[position - 1];
                index[position] = index[position - 1];
                position--;
            }
            value[position] = score;
            index[position] = i;
        }
        return index;
    }
}
