using System.Diagnostics;
using System.Reflection;

namespace MetaRec.Cli.Tests;

/// <summary>Runs the built CLI in a child process and captures what it prints.</summary>
internal static class Metarec
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static string Dll =>
        typeof(Metarec).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs with <paramref name="environment"/> added to this process's environment.</summary>
    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["METAREC_TEST"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
