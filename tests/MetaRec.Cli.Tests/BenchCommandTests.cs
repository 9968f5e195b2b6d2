using System.Text.Json;

namespace MetaRec.Cli.Tests;

/// <summary>The benchmark command runs end to end (a smoke test: figures are checked, not timed).</summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-bench-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task Quick_bench_without_the_peer_writes_every_configuration()
    {
        var json = Path.Combine(_temp.FullName, "bench.json");
        var result = await Metarec.RunAsync("bench", "--quick", "--no-peer", "--threads", "1", "--json", json);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var training = document.RootElement.GetProperty("training").EnumerateArray().ToList();
        Assert.Equal(6, training.Count); // mpp 1/5 steps, melu 1/5 steps second order, melu 1/5 first order
        Assert.All(training, t => Assert.True(t.GetProperty("tasks_per_second_median").GetDouble() > 0));
        Assert.Contains("FLOP floor", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_repeat_count_exits_2_naming_the_option()
    {
        var result = await Metarec.RunAsync("bench", "--repeats", "0", "--no-peer");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--repeats", result.Error, StringComparison.Ordinal);
    }
}
