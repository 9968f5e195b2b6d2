namespace MetaRec.Core.Evaluation;

/// <summary>
/// Model A minus model B on the same test users, with a 95% percentile-bootstrap interval.
/// </summary>
/// <param name="Metric">auc (pooled, per group), or a per-user metric of <see cref="UserOutcome.Metric"/>.</param>
/// <param name="Mean">The difference: for AUC the mean over groups of AUC(A) − AUC(B); else the mean per-user difference.</param>
/// <param name="Low">2.5th percentile of the bootstrap distribution of <paramref name="Mean"/>.</param>
/// <param name="High">97.5th percentile.</param>
/// <param name="Wins">Units where A is above B.</param>
/// <param name="Losses">Units where A is below B.</param>
/// <param name="Ties">Units where they are equal.</param>
/// <param name="Unit">"users" for a per-user metric, "groups" (folds × seeds) for pooled AUC.</param>
public sealed record PairedDifference(string Metric, double Mean, double Low, double High, int Wins, int Losses, int Ties, string Unit)
{
    public int Units => Wins + Losses + Ties;

    /// <summary>Share of units A wins, ties counted as half a win.</summary>
    public double WinRate => Units == 0 ? double.NaN : (Wins + (0.5 * Ties)) / Units;

    /// <summary>Whether the 95% interval lies wholly on one side of zero.</summary>
    public bool ExcludesZero => Low > 0 || High < 0;
}

/// <summary>
/// Paired comparisons of two models' <see cref="UserOutcome"/>s. Outcomes come in groups, one per
/// (seed, fold) split, each holding the same users for both models; users are resampled with
/// replacement within their group, so the interval reflects which users happened to be tested.
/// </summary>
public static class PairedComparison
{
    public const int DefaultResamples = 2000;

    /// <summary>Per-user metrics pooled over groups: users where both values are defined (not NaN) count.</summary>
    public static PairedDifference PerUser(string metric, IReadOnlyList<IReadOnlyList<(UserOutcome A, UserOutcome B)>> groups, int resamples = DefaultResamples, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var differences = groups.SelectMany(g => g)
            .Select(p => p.A.Metric(metric) - p.B.Metric(metric))
            .Where(d => !double.IsNaN(d))
            .ToArray();
        if (differences.Length == 0)
        {
            return new PairedDifference(metric, double.NaN, double.NaN, double.NaN, 0, 0, 0, "users");
        }
        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (var i = 0; i < differences.Length; i++)
            {
                sum += differences[random.Next(differences.Length)];
            }
            means[r] = sum / differences.Length;
        }
        var (low, high) = Interval(means);
        return new PairedDifference(
            metric, differences.Average(), low, high,
            differences.Count(d => d > 0), differences.Count(d => d < 0), differences.Count(d => d == 0), "users");
    }

    /// <summary>
    /// Pooled AUC: per group, AUC over all of A's query examples minus the same for B; the
    /// difference is the mean over groups, and wins count groups.
    /// </summary>
    public static PairedDifference PooledAuc(IReadOnlyList<IReadOnlyList<(UserOutcome A, UserOutcome B)>> groups, int resamples = DefaultResamples, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var nonEmpty = groups.Where(g => g.Count > 0).ToArray();
        if (nonEmpty.Length == 0)
        {
            return new PairedDifference("auc", double.NaN, double.NaN, double.NaN, 0, 0, 0, "groups");
        }
        var perGroup = nonEmpty.Select(g => Difference(g, [.. Enumerable.Range(0, g.Count)])).ToArray();
        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            foreach (var group in nonEmpty)
            {
                var picks = new int[group.Count];
                for (var i = 0; i < picks.Length; i++)
                {
                    picks[i] = random.Next(group.Count);
                }
                sum += Difference(group, picks);
            }
            means[r] = sum / nonEmpty.Length;
        }
        var (low, high) = Interval(means.Where(m => !double.IsNaN(m)).ToArray());
        return new PairedDifference(
            "auc", perGroup.Average(), low, high,
            perGroup.Count(d => d > 0), perGroup.Count(d => d < 0), perGroup.Count(d => d == 0), "groups");
    }

    /// <summary>
    /// Pairs A's and B's outcomes of the same users, group by group.
    /// </summary>
    /// <exception cref="ArgumentException">The groups differ in number, or a group's users differ.</exception>
    public static IReadOnlyList<IReadOnlyList<(UserOutcome A, UserOutcome B)>> Match(IReadOnlyList<IReadOnlyList<UserOutcome>> a, IReadOnlyList<IReadOnlyList<UserOutcome>> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"{a.Count} groups of outcomes against {b.Count}.", nameof(b));
        }
        var groups = new List<IReadOnlyList<(UserOutcome, UserOutcome)>>(a.Count);
        for (var g = 0; g < a.Count; g++)
        {
            var byUser = b[g].ToDictionary(o => o.UserId, StringComparer.Ordinal);
            if (byUser.Count != a[g].Count)
            {
                throw new ArgumentException($"group {g}: {a[g].Count} users against {byUser.Count}.", nameof(b));
            }
            groups.Add([.. a[g].Select(o => byUser.TryGetValue(o.UserId, out var other)
                ? (o, other)
                : throw new ArgumentException($"group {g}: user {o.UserId} has no outcome in the other model.", nameof(b)))]);
        }
        return groups;
    }

    private static double Difference(IReadOnlyList<(UserOutcome A, UserOutcome B)> group, int[] picks)
    {
        var count = picks.Sum(i => group[i].A.Scores.Length);
        var scoresA = new float[count];
        var scoresB = new float[count];
        var labels = new float[count];
        var at = 0;
        foreach (var i in picks)
        {
            var (a, b) = group[i];
            a.Scores.CopyTo(scoresA, at);
            b.Scores.CopyTo(scoresB, at);
            a.Labels.CopyTo(labels, at);
            at += a.Scores.Length;
        }
        return Metrics.Auc(scoresA, labels) - Metrics.Auc(scoresB, labels);
    }

    private static (double Low, double High) Interval(double[] means)
    {
        if (means.Length == 0)
        {
            return (double.NaN, double.NaN);
        }
        Array.Sort(means);
        return (Quantile(means, 0.025), Quantile(means, 0.975));
    }

    // Linear interpolation between order statistics (type 7).
    private static double Quantile(double[] sorted, double p)
    {
        var position = p * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
