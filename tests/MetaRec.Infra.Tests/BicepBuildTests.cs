using Xunit.Abstractions;

namespace MetaRec.Infra.Tests;

/// <summary>
/// The templates compile and lint with no diagnostics at all: bicep exits 0 on warnings, so a
/// warning or info line on stderr fails these tests too.
/// </summary>
public sealed class BicepBuildTests(ITestOutputHelper log) : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-bicep-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void Main_bicep_builds_with_no_diagnostics()
    {
        var output = Path.Combine(_temp.FullName, "main.json");
        var run = BicepCli.Run("build", "main.bicep", "--outfile", output);
        Assert.True(run.IsClean, run.ToString());
        Assert.True(new FileInfo(output).Length > 0);
        log.WriteLine($"bicep build main.bicep: {run.Elapsed.TotalSeconds:F2} s");
    }

    [Fact]
    public void Main_bicepparam_builds_with_no_diagnostics()
    {
        var output = Path.Combine(_temp.FullName, "main.parameters.json");
        var run = BicepCli.Run("build-params", "main.bicepparam", "--outfile", output);
        Assert.True(run.IsClean, run.ToString());
        Assert.True(new FileInfo(output).Length > 0);
    }

    [Fact]
    public void Main_bicep_lints_with_no_diagnostics()
    {
        var run = BicepCli.Run("lint", "main.bicep");
        Assert.True(run.IsClean, run.ToString());
    }

    [Fact]
    public void A_template_with_a_linter_warning_is_not_clean_though_bicep_exits_0()
    {
        // The check above can fail: an unused parameter is a warning, with exit code 0.
        var file = Path.Combine(_temp.FullName, "unused.bicep");
        File.WriteAllText(file, "param unused string = 'x'\n");
        var build = BicepCli.Run("build", file, "--outfile", Path.Combine(_temp.FullName, "unused.json"));
        var lint = BicepCli.Run("lint", file);
        Assert.Equal(0, build.ExitCode);
        Assert.Equal(0, lint.ExitCode);
        Assert.False(build.IsClean);
        Assert.False(lint.IsClean);
        Assert.Contains("no-unused-params", build.Errors, StringComparison.Ordinal);
        Assert.Contains("no-unused-params", lint.Errors, StringComparison.Ordinal);
    }
}
