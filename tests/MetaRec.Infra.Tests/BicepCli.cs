using System.Diagnostics;
using System.Reflection;

namespace MetaRec.Infra.Tests;

/// <summary>One run of the Bicep compiler: its exit code and everything it printed.</summary>
public sealed record BicepRun(int ExitCode, string Output, string Errors, TimeSpan Elapsed)
{
    /// <summary>Exit code 0 and nothing printed: no error, warning or info diagnostic at all.</summary>
    public bool IsClean => ExitCode == 0 && Errors.Trim().Length == 0 && Output.Trim().Length == 0;

    public override string ToString() => $"exit {ExitCode}; stdout: {Output.Trim()}; stderr: {Errors.Trim()}";
}

/// <summary>
/// The Bicep compiler from the Azure.Bicep.CommandLine.linux-x64 package (its path is written into
/// this assembly by the project file), and the repository it works on.
/// </summary>
public static class BicepCli
{
    public static string RepoRoot { get; } = Metadata("MetaRec.RepoRoot");

    public static string Infra { get; } = Path.Combine(RepoRoot, "infra");

    public static string Executable { get; } = Path.Combine(Metadata("MetaRec.BicepPackage"), "tools", "bicep");

    /// <summary>Runs <c>bicep</c> with <paramref name="arguments"/> in <see cref="Infra"/>; stdout and stderr kept apart.</summary>
    public static BicepRun Run(params string[] arguments)
    {
        Assert.True(File.Exists(Executable), $"the Bicep compiler is not at {Executable}: restore tests/MetaRec.Infra.Tests");
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(Executable).HasFlag(UnixFileMode.UserExecute))
        {
            // The package's zip carries the mode; should an extraction drop it, the owner may run it.
            File.SetUnixFileMode(Executable, File.GetUnixFileMode(Executable) | UnixFileMode.UserExecute);
        }
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = Infra,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Offline and quiet: no telemetry, no version check.
        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Executable}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} ran past two minutes");
        }
        process.WaitForExit();
        return new BicepRun(process.ExitCode, output.Result, errors.Result, clock.Elapsed);
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is empty");
}
