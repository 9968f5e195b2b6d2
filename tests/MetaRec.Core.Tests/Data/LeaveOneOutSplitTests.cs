using MetaRec.Core.Data;
using MetaRec.Core.Protocols;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class LeaveOneOutSplitTests
{
    private static SequenceDataset Data() => new(
        "shop",
        ["a", "b", "c", "d"],
        ["i0", "i1", "i2", "i3", "i4"],
        [[0, 1, 2, 3], [4, 2], [1, 0, 4], [3]]);

    [Fact]
    public void Last_item_is_the_test_the_one_before_the_validation_and_short_users_only_train()
    {
        var split = LeaveOneOutSplit.Create(Data());

        Assert.Equal([0, 1, 2, 3], split.TrainingUsers);
        Assert.Equal([[0, 1], [4, 2], [1], [3]], split.Training);
        Assert.Equal([0, 2], split.EvaluatedUsers);
        Assert.Equal([0, 1], split.Validation[0].History);
        Assert.Equal(2, split.Validation[0].Target);
        Assert.Equal([0, 1, 2], split.Test[0].History);
        Assert.Equal(3, split.Test[0].Target);
        Assert.Equal([1], split.Validation[1].History);
        Assert.Equal(0, split.Validation[1].Target);
        Assert.Equal([1, 0], split.Test[1].History);
        Assert.Equal(4, split.Test[1].Target);
    }

    [Fact]
    public void No_training_sequence_holds_a_validation_or_test_target_position()
    {
        var data = SequenceReader.Read(Path.Combine(DatasetPaths.Require("tiny/seq-tiny"), "Beauty.txt"));

        var split = LeaveOneOutSplit.Create(data);

        Assert.Equal(40, split.Test.Count);
        for (var i = 0; i < split.EvaluatedUsers.Count; i++)
        {
            var user = split.EvaluatedUsers[i];
            var sequence = data.Sequences[user];
            Assert.Equal(sequence.Length - 2, split.Training[user].Length);
            Assert.Equal(sequence[..^2], split.Training[user]);
            Assert.Equal(split.Training[user], split.Validation[i].History);
            Assert.Equal([.. split.Validation[i].History, split.Validation[i].Target], split.Test[i].History);
        }
    }

    [Fact]
    public void A_training_fraction_keeps_a_seeded_share_of_training_users_and_every_evaluation_case()
    {
        var data = SequenceReader.Read(Path.Combine(DatasetPaths.Require("tiny/seq-tiny"), "Toys_and_Games.txt"));
        var full = LeaveOneOutSplit.Create(data);

        var tenth = full.WithTrainingFraction(0.1, seed: 3);

        Assert.Equal(4, tenth.TrainingUsers.Count); // ⌈0.1 · 40⌉
        Assert.Equal(tenth.TrainingUsers.Order(), tenth.TrainingUsers);
        Assert.All(tenth.TrainingUsers.Zip(tenth.Training), p => Assert.Equal(full.Training[p.First], p.Second));
        Assert.Equal(full.Validation, tenth.Validation);
        Assert.Equal(full.Test, tenth.Test);
        Assert.Equal(tenth.TrainingUsers, full.WithTrainingFraction(0.1, seed: 3).TrainingUsers);
        Assert.NotEqual(tenth.TrainingUsers, full.WithTrainingFraction(0.1, seed: 4).TrainingUsers);
        Assert.Equal(full.TrainingUsers, full.WithTrainingFraction(1, seed: 9).TrainingUsers);
        Assert.Throws<ArgumentOutOfRangeException>(() => full.WithTrainingFraction(0, seed: 1));
    }
}
