using MetaRec.Core.Data;
using MetaRec.Core.Protocols;

namespace MetaRec.Core.Tests.Data;

public sealed class ColdStartFoldsTests
{
    // Users 3..25 have 13..35 interactions: 23 qualify.
    private static readonly ColdStartOptions Options = new() { MaxInteractions = 35, Folds = 5 };

    private readonly InteractionDataset _data = SyntheticData.Create();

    [Fact]
    public void Every_qualifying_user_is_tested_exactly_once_over_the_folds()
    {
        var tested = Enumerable.Range(0, 5)
            .SelectMany(fold => ColdStartProtocol.Split(_data, Options with { Fold = fold }).Test)
            .Select(t => t.UserId)
            .ToList();

        Assert.Equal(23, tested.Count);
        Assert.Equal(23, tested.Distinct().Count());
    }

    [Fact]
    public void Each_fold_draws_validation_from_the_other_folds_and_trains_on_the_rest()
    {
        for (var fold = 0; fold < 5; fold++)
        {
            var split = ColdStartProtocol.Split(_data, Options with { Fold = fold });
            var train = split.Train.Select(t => t.UserId).ToHashSet();
            var validation = split.Validation.Select(t => t.UserId).ToHashSet();
            var test = split.Test.Select(t => t.UserId).ToHashSet();

            // Folds of 23 users: positions [f·23/5, (f+1)·23/5) → sizes 4, 5, 4, 5, 5; validation floor(2.3) = 2.
            Assert.Equal(new[] { 4, 5, 4, 5, 5 }[fold], test.Count);
            Assert.Equal(2, validation.Count);
            Assert.Equal(23 - test.Count - 2, train.Count);
            Assert.Empty(train.Intersect(test));
            Assert.Empty(validation.Intersect(test));
            Assert.Empty(train.Intersect(validation));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_folds_and_another_seed_other_folds()
    {
        string[] Test(int seed, int fold) => [.. ColdStartProtocol.Split(_data, Options with { Seed = seed, Fold = fold }).Test.Select(t => t.UserId)];

        Assert.Equal(Test(1, 2), Test(1, 2));
        Assert.NotEqual(Test(1, 2), Test(2, 2));
    }

    [Theory]
    [InlineData(1, 0, false, "Folds")]
    [InlineData(-2, 0, false, "Folds")]
    [InlineData(5, 5, false, "Fold")]
    [InlineData(5, -1, false, "Fold")]
    [InlineData(5, 0, true, "UsersByArrival")]
    public void Bad_fold_settings_are_rejected_by_name(int folds, int fold, bool byArrival, string named)
    {
        var options = Options with { Folds = folds, Fold = fold, UsersByArrival = byArrival };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_too_large_for_the_folds_is_rejected()
    {
        // 5 folds leave 80% outside the test fold; validation must stay below that.
        var error = Assert.Throws<ArgumentException>((Options with { ValidationFraction = 0.8 }).Validate);
        Assert.Equal("ValidationFraction", error.ParamName);
    }
}
