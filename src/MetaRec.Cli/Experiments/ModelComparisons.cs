using MetaRec.Core.Evaluation;

namespace MetaRec.Cli.Experiments;

/// <summary>One comparison of model A against model B over every split both ran on.</summary>
internal sealed record ModelComparison(string A, string B, IReadOnlyList<PairedDifference> Differences);

/// <summary>
/// The paired comparisons <c>evaluate</c> reports: each meta-learned model against the
/// baselines it must beat, on the same test users of the same splits.
/// </summary>
internal static class ModelComparisons
{
    /// <summary>(A, B) pairs, reported where both models ran.</summary>
    public static readonly IReadOnlyList<(string A, string B)> Pairs =
    [
        ("pooled-finetune", "pooled"),
        ("mpp", "pooled-finetune"),
        ("mpp", "pooled"),
        ("melu", "pooled-finetune"),
        ("mpp", "melu"),
        ("limaml", "pooled-finetune"),
        ("limaml", "wide-deep"),
        (ExperimentOptions.MppOnline, "mpp"),
    ];

    /// <summary>The metrics compared: pooled AUC per split, then per-user metrics.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["auc", "gauc", "ndcg@3", "ndcg@5", "catalogue-hr@10", "catalogue-ndcg@10"];

    public static IReadOnlyList<ModelComparison> Compute(IReadOnlyList<ModelRun> runs, int resamples = PairedComparison.DefaultResamples)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var byModel = runs.GroupBy(r => r.Model).ToDictionary(
            g => g.Key,
            g => g.OrderBy(r => r.Seed).ThenBy(r => r.Fold).ToList());
        var comparisons = new List<ModelComparison>();
        foreach (var (a, b) in Pairs)
        {
            if (!byModel.TryGetValue(a, out var runsA) || !byModel.TryGetValue(b, out var runsB))
            {
                continue;
            }
            var groups = PairedComparison.Match([.. runsA.Select(r => r.Outcomes)], [.. runsB.Select(r => r.Outcomes)]);
            var differences = Metrics.Select(metric => metric == "auc"
                ? PairedComparison.PooledAuc(groups, resamples)
                : PairedComparison.PerUser(metric, groups, resamples)).ToList();
            comparisons.Add(new ModelComparison(a, b, differences));
        }
        return comparisons;
    }
}
