using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;

namespace MetaRec.Core.Tests.Evaluation;

public sealed class PairedComparisonTests
{
    [Fact]
    public void A_model_against_itself_differs_by_exactly_zero()
    {
        var outcomes = Users(40, seed: 1, skill: 0.5);
        var groups = PairedComparison.Match([outcomes], [outcomes]);

        foreach (var difference in new[] { PairedComparison.PooledAuc(groups), PairedComparison.PerUser("gauc", groups), PairedComparison.PerUser("ndcg@5", groups) })
        {
            Assert.Equal((0.0, 0.0, 0.0), (difference.Mean, difference.Low, difference.High));
            Assert.False(difference.ExcludesZero);
            Assert.Equal(0.5, difference.WinRate);
        }
    }

    [Fact]
    public void A_clearly_better_model_has_an_interval_above_zero_and_wins_most_users()
    {
        // Same users and labels; A's scores separate the classes far better than B's.
        var better = Users(60, seed: 2, skill: 2.0);
        var worse = Users(60, seed: 2, skill: 0.0);
        var groups = PairedComparison.Match([better], [worse]);

        var auc = PairedComparison.PooledAuc(groups);
        Assert.True(auc.Low > 0.1, $"AUC difference {auc}");
        Assert.Equal((1, 0, "groups"), (auc.Wins, auc.Losses, auc.Unit));

        var gauc = PairedComparison.PerUser("gauc", groups);
        Assert.True(gauc.ExcludesZero && gauc.Mean > 0, $"GAUC difference {gauc}");
        Assert.True(gauc.WinRate > 0.7, $"win rate {gauc.WinRate}");
        Assert.Equal("users", gauc.Unit);
    }

    [Fact]
    public void The_interval_narrows_with_more_users()
    {
        PairedDifference Gauc(int users) => PairedComparison.PerUser(
            "gauc", PairedComparison.Match([Users(users, seed: 3, skill: 0.6)], [Users(users, seed: 3, skill: 0.3)]));

        var few = Gauc(30);
        var many = Gauc(600);
        Assert.True(many.High - many.Low < (few.High - few.Low) / 2, $"{few} vs {many}");
    }

    [Fact]
    public void Users_are_matched_by_id_across_groups_and_mismatches_are_rejected()
    {
        var a = Users(5, seed: 4, skill: 1);
        var shuffled = Enumerable.Reverse(a).ToList();

        var groups = PairedComparison.Match([a], [shuffled]);
        Assert.All(groups[0], pair => Assert.Equal(pair.A.UserId, pair.B.UserId));

        Assert.Throws<ArgumentException>(() => PairedComparison.Match([a], [a, a]));
        Assert.Throws<ArgumentException>(() => PairedComparison.Match([a], [a.Take(4).ToList()]));
        var renamed = a.Select(o => o with { UserId = o.UserId + "x" }).ToList();
        Assert.Throws<ArgumentException>(() => PairedComparison.Match([a], [renamed]));
    }

    /// <summary>
    /// Users with 10 query items each, half positive; a score is skill × label plus noise, so
    /// the same seed gives the same labels and noise and only the skill differs.
    /// </summary>
    private static List<UserOutcome> Users(int count, int seed, double skill)
    {
        var random = new Random(seed);
        var outcomes = new List<UserOutcome>();
        for (var u = 0; u < count; u++)
        {
            var query = Enumerable.Range(0, 10).Select(i => new Example(i, i % 2, (i % 2) == 1 ? 5 : 2)).ToArray();
            var scores = query.Select(e => (float)(1 / (1 + Math.Exp(-((skill * e.Label) + random.NextDouble() - 0.5))))).ToArray();
            outcomes.Add(Evaluator.Outcome(new UserTask($"u{u}", [], [], query), scores));
        }
        return outcomes;
    }
}
