using MetaRec.Pipeline.Jobs;

namespace MetaRec.Pipeline.Tests;

public sealed class JobSpecTests
{
    [Fact]
    public void An_attempt_is_named_after_its_run_and_number_so_launchers_can_find_it_again()
    {
        var first = new JobSpec("run-7", 1, ["train"], new Dictionary<string, string>());
        var second = first with { Attempt = 2 };
        Assert.Equal("run-7-a1", first.Name);
        Assert.Equal("run-7-a2", second.Name);
    }
}
