using System.Diagnostics;
using System.Net;
using MetaRec.Storage.Interactions;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The README's quick start and retraining example, step by step as written, on the embedded
/// default: folder storage in the working folder, `metarec` for v1, events through the API, then
/// a run whose snapshot holds them; the Durable backend is the Azurite the app starts itself.
/// The one difference from the README: a 1-second poll interval instead of the default 10.
/// </summary>
public sealed class ReadmeRetrainingTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-readme-");

    public void Dispose() => _root.Delete(recursive: true);

    private async Task MetarecAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _root.FullName, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(StandaloneTrainingTests.CliDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"metarec {string.Join(' ', arguments)} exited {process.ExitCode}: {await output}{await error}");
    }

    [Fact]
    public async Task Retraining_on_posted_events_completes_and_the_new_version_serves()
    {
        // $M train --family limaml --epochs 1 --out .metarec-ckpt; register v1; promote it.
        await MetarecAsync("train", "--family", "limaml", "--epochs", "1", "--data", StandaloneTrainingTests.Data, "--out", ".metarec-ckpt");
        await MetarecAsync("models", "register", "--checkpoint", ".metarec-ckpt", "--version", "v1");
        await MetarecAsync("models", "promote", "limaml", "v1");

        // MetaRec__Training__MetarecDll=…/metarec.dll dotnet run --project src/MetaRec.Functions -c Release
        var storage = Path.Combine(_root.FullName, ".metarec");
        await using var app = FunctionAppFactory.Folder(storage, new Dictionary<string, string>
        {
            ["MetaRec:Training:MetarecDll"] = StandaloneTrainingTests.CliDll,
            ["MetaRec:Training:PollInterval"] = "00:00:01",
            ["MetaRec:Timers:Enabled"] = "false",
        });
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);

        // The README's events for a new user, then wait on the user's watermark (processing is asynchronous).
        using var events = new StringContent("""
            [{"eventId":"e1","userId":"newbie","itemId":"1","rating":5,"timestamp":1700000000},
             {"eventId":"e2","userId":"newbie","itemId":"50","rating":5,"timestamp":1700000060}]
            """, System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/events", events)).StatusCode);
        await EndToEndTests.EventuallyAsync(async () =>
            (await EndToEndTests.RecommendAsync(client, "newbie")).GetProperty("userState").GetString() == "personalized" ? "done" : null);
        Assert.Equal(2, (await new FolderInteractionLog(storage).SnapshotAsync()).Events);

        // curl -XPOST …/api/training-runs -d '{"family":"limaml","data":"'$PWD'/datasets/ml-latest-small","epochs":3}'
        using var request = new StringContent($$"""{"family":"limaml","data":"{{StandaloneTrainingTests.Data}}","epochs":3}""", System.Text.Encoding.UTF8, "application/json");
        var started = await client.PostAsync("/api/training-runs", request);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var run = await StandaloneTrainingTests.WaitFinalAsync(client, started.Headers.Location!.ToString(), TimeSpan.FromMinutes(5));

        Assert.True(run.GetProperty("state").GetString() == "Completed", run.ToString());
        var result = run.GetProperty("result");
        Assert.Contains("2 of 2 logged events", result.GetProperty("steps")[0].GetProperty("outcome").GetString(), StringComparison.Ordinal);
        Assert.True(result.GetProperty("metrics").GetProperty("candidate.auc").GetDouble() > result.GetProperty("metrics").GetProperty("active.auc").GetDouble());
        var version = result.GetProperty("version").GetString();
        await EndToEndTests.EventuallyAsync(async () =>
            (await EndToEndTests.RecommendAsync(client, "someone")).GetProperty("modelVersion").GetString() == version ? "serving" : null);
    }
}
