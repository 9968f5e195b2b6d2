using MetaRec.Abstractions;

namespace MetaRec.Cli.Benchmarks;

/// <summary>
/// Serving costs of one family: adapting a user on a support set of <see cref="Support"/>
/// examples, the state that results, and scoring <see cref="Candidates"/> items with it.
/// </summary>
/// <param name="Family">Family name.</param>
/// <param name="Support">Support examples per user.</param>
/// <param name="Candidates">Items scored per call.</param>
/// <param name="UserStateBytes">Per-user state the model reports (<see cref="ModelInfo.UserStateBytes"/>).</param>
/// <param name="MeasuredStateBytes">Bytes of the state <see cref="IRecModel.Adapt"/> returned.</param>
/// <param name="Adapt">Time of one <see cref="IRecModel.Adapt"/>.</param>
/// <param name="Score">Time of one <see cref="IRecModel.Score"/> with the adapted state.</param>
internal sealed record AdaptationResult(
    string Family, int Support, int Candidates, long UserStateBytes, int MeasuredStateBytes, TimingSummary Adapt, TimingSummary Score);

/// <summary>
/// Times per-user adaptation and scoring at support 50 and 100 candidates, families interleaved
/// (each round adapts and scores one user with every family).
/// </summary>
internal static class AdaptationBenchmark
{
    public const int Support = MeluShape.Support;
    public const int Candidates = 100;
    private const int DistinctUsers = 64;

    /// <summary>Families whose serving path is measured.</summary>
    public static IReadOnlyList<string> Families { get; } = ["mpp", "melu", "pooled-finetune"];

    public static IReadOnlyList<AdaptationResult> Run(
        Func<string, IModelFamily> families, Catalogue catalogue, BenchSettings bench, TimeProvider time, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(bench);
        ArgumentNullException.ThrowIfNull(time);
        var users = MeluShape.Users(catalogue, DistinctUsers, Support, query: 0, seed: 31);
        var random = new Random(41);
        var candidates = Enumerable.Range(0, DistinctUsers)
            .Select(_ => Enumerable.Range(0, Candidates).Select(_ => random.Next(MeluShape.Items)).ToArray())
            .ToArray();
        var models = new List<IRecModel>(Families.Count);
        try
        {
            foreach (var family in Families)
            {
                models.Add(families(family).Create(catalogue, MeluShape.Settings(), seed: 1));
            }
            var adapt = Families.Select(_ => new double[bench.PerUserRepeats]).ToArray();
            var score = Families.Select(_ => new double[bench.PerUserRepeats]).ToArray();
            var stateBytes = new int[Families.Count];
            for (var round = 0; round < bench.Warmup + bench.PerUserRepeats; round++)
            {
                cancellation.ThrowIfCancellationRequested();
                var user = users[round % DistinctUsers];
                for (var f = 0; f < models.Count; f++)
                {
                    var start = time.GetTimestamp();
                    var state = models[f].Adapt(user);
                    var adapted = time.GetElapsedTime(start).TotalMilliseconds;
                    start = time.GetTimestamp();
                    var scores = models[f].Score(user.UserFields, state, candidates[round % DistinctUsers]);
                    var scored = time.GetElapsedTime(start).TotalMilliseconds;
                    if (scores.Length != Candidates)
                    {
                        throw new InvalidOperationException($"{Families[f]} returned {scores.Length} scores for {Candidates} candidates");
                    }
                    stateBytes[f] = state.Bytes;
                    if (round >= bench.Warmup)
                    {
                        adapt[f][round - bench.Warmup] = adapted;
                        score[f][round - bench.Warmup] = scored;
                    }
                }
            }
            return [.. Families.Select((name, f) => new AdaptationResult(
                name, Support, Candidates, models[f].Info.UserStateBytes, stateBytes[f], TimingSummary.From(adapt[f]), TimingSummary.From(score[f])))];
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
