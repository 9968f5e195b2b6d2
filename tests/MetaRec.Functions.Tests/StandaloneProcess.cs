using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The standalone host as its own <c>dotnet</c> process on a free loopback port, with settings
/// given as environment variables, so a test can <c>kill -9</c> it and start it again.
/// </summary>
internal sealed class StandaloneProcess : IDisposable
{
    private StandaloneProcess(Process process, HttpClient client)
    {
        Process = process;
        Client = client;
    }

    public Process Process { get; }

    /// <summary>A client for the host, with the test API key.</summary>
    public HttpClient Client { get; }

    /// <summary>Since the process was started.</summary>
    public Stopwatch Age { get; } = Stopwatch.StartNew();

    public static string Dll(string key) => typeof(StandaloneProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>
    /// The settings of a host that trains an <c>mpp</c> model with the local job on the Durable
    /// Task Framework, with short polls and visibility timeouts so a killed host's work is picked
    /// up again within seconds; the caller adds its storage.
    /// </summary>
    public static Dictionary<string, string> FastTraining(string taskHub) => new()
    {
        ["MetaRec__Family"] = "mpp",
        ["MetaRec__Training__MetarecDll"] = Dll("MetaRec.CliDll"),
        ["MetaRec__Training__PollInterval"] = "00:00:00.500",
        ["MetaRec__Training__MaxAttempts"] = "1",
        ["MetaRec__Durable__TaskHub"] = taskHub,
        ["MetaRec__Durable__ControlQueueVisibilityTimeout"] = "00:00:05",
        ["MetaRec__Durable__WorkItemQueueVisibilityTimeout"] = "00:00:10",
        ["MetaRec__Durable__MaxQueuePollingInterval"] = "00:00:00.500",
        ["MetaRec__ModelPollInterval"] = "00:00:00.200",
        ["MetaRec__Timers__Enabled"] = "false",
    };

    public static StandaloneProcess Start(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Dll("MetaRec.FunctionsDll"));
        start.Environment["urls"] = $"http://127.0.0.1:{port}";
        start.Environment["MetaRec__Auth__ApiKey"] = FunctionAppFactory.ApiKey;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Add("x-api-key", FunctionAppFactory.ApiKey);
        return new StandaloneProcess(process, client);
    }

    /// <summary>Waits until the host answers its health route; returns the time since start.</summary>
    public async Task<TimeSpan> WaitListeningAsync()
    {
        await EndToEndTests.EventuallyAsync(async () =>
        {
            try
            {
                return (await Client.GetAsync("/api/health")).IsSuccessStatusCode ? "up" : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        });
        return Age.Elapsed;
    }

    /// <summary>SIGKILL: no shutdown, no flush.</summary>
    public async Task KillAsync()
    {
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }
        Process.Dispose();
        Client.Dispose();
    }
}
