using MetaRec.Core.Data;
using MetaRec.Core.Protocols;

namespace MetaRec.Core.Tests.Data;

public sealed class WarmProtocolTests
{
    private static readonly ColdStartOptions Options = new() { MaxInteractions = 35 };

    private readonly InteractionDataset _data = SyntheticData.Create();

    [Fact]
    public void Evaluates_the_same_users_and_queries_as_the_cold_split()
    {
        var cold = ColdStartProtocol.Split(_data, Options);
        var warm = WarmProtocol.Split(_data, Options);

        Assert.Equal("warm", warm.Protocol);
        Assert.Equal(cold.QualifyingUsers, warm.QualifyingUsers);
        Assert.Equal(cold.Validation.Select(ColdStartProtocolTests.Describe), warm.Validation.Select(ColdStartProtocolTests.Describe));
        Assert.Equal(cold.Test.Select(ColdStartProtocolTests.Describe), warm.Test.Select(ColdStartProtocolTests.Describe));
    }

    [Fact]
    public void Trains_on_every_user_but_never_on_a_held_out_query()
    {
        var cold = ColdStartProtocol.Split(_data, Options);
        var warm = WarmProtocol.Split(_data, Options);

        Assert.Equal(23, warm.Train.Count);
        Assert.Equal(cold.Train.Select(ColdStartProtocolTests.Describe), warm.Train.Take(cold.Train.Count).Select(ColdStartProtocolTests.Describe));
        var heldOut = warm.Validation.Concat(warm.Test).ToDictionary(t => t.UserId);
        foreach (var task in warm.Train.Skip(cold.Train.Count))
        {
            var evaluated = heldOut[task.UserId];
            Assert.Equal(evaluated.Support, task.Support);
            Assert.Equal(evaluated.Support, task.Query);
        }
        Assert.Equal(heldOut.Count, warm.Train.Count - cold.Train.Count);
    }

    [Fact]
    public void Pooled_training_adds_the_held_out_support_sets()
    {
        var cold = ColdStartProtocol.Split(_data, Options);
        var warm = WarmProtocol.Split(_data, Options);

        var heldOutSupport = warm.Validation.Concat(warm.Test).Sum(t => t.Support.Count);
        Assert.Equal(cold.PooledTraining.Count + heldOutSupport, warm.PooledTraining.Count);
    }
}
