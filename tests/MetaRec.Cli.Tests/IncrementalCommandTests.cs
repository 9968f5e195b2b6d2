namespace MetaRec.Cli.Tests;

/// <summary>`metarec period` and `metarec incremental` on the shipped ml-latest-small, with a small protocol.</summary>
public sealed class IncrementalCommandTests : IDisposable
{
    private static readonly string[] Small = ["--periods", "8", "--pretrain-periods", "3", "--pretrain-epochs", "1"];

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-incremental-");

    public void Dispose() => _temp.Delete(recursive: true);

    private Task<Metarec.Result> PeriodAsync(int period, params string[] extra) =>
        Metarec.RunAsync(["period", "--period", period.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Small, "--storage-folder", _temp.FullName, .. extra]);

    [Fact]
    public async Task Period_jobs_chain_from_the_previous_checkpoint_once_each_and_refuse_a_gap()
    {
        var pretrained = await PeriodAsync(3);
        var next = await PeriodAsync(4);
        var again = await PeriodAsync(4);
        var gap = await PeriodAsync(6);
        var listed = await Metarec.RunAsync("models", "show", "asmg", "period-0004", "--storage-folder", _temp.FullName);

        Assert.True(pretrained.ExitCode == 0, pretrained.Output + pretrained.Error);
        Assert.Contains("pretrained asmg/period-0003 on periods 1-3", pretrained.Output, StringComparison.Ordinal);
        Assert.Contains("trained asmg/period-0004 from period-0003", next.Output, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already registered; nothing to do", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, gap.ExitCode);
        Assert.Contains("asmg/period-0005, which is not registered: run period 5 first", gap.Error, StringComparison.Ordinal);
        Assert.Contains("\"Parents\": [\n    \"period-0003\"\n  ]", listed.Output.Replace("\r", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("\"Role\": \"period\"", listed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_options_are_refused_naming_the_option()
    {
        var period = await PeriodAsync(2);
        var batch = await PeriodAsync(4, "--batch-size", "0");
        var window = await Metarec.RunAsync(["incremental", .. Small, "--test-periods", "2", "--window", "9"]);
        var method = await Metarec.RunAsync(["incremental", .. Small, "--test-periods", "2", "--methods", "gru-double"]);

        Assert.Equal(2, period.ExitCode);
        Assert.Contains("period must be from 3", period.Error, StringComparison.Ordinal);
        Assert.Equal(2, batch.ExitCode);
        Assert.Contains("--batch-size must be positive", batch.Error, StringComparison.Ordinal);
        Assert.Equal(2, window.ExitCode);
        Assert.Contains("--window 9", window.Error, StringComparison.Ordinal);
        Assert.Equal(2, method.ExitCode);
        Assert.Contains("unknown method 'gru-double'", method.Error, StringComparison.Ordinal);
    }
}
