using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Xunit;

namespace MetaRec.Testing;

/// <summary>
/// Runs a private Azurite (Blob, Queue, Table) for a test class or collection: free loopback
/// ports, a temporary data folder, <c>--skipApiVersionCheck</c>; waits until every service
/// answers and stops it (and deletes the folder) after the tests.
/// Use as <c>IClassFixture&lt;AzuriteFixture&gt;</c> or in a collection fixture.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const string AccountName = "devstoreaccount1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int StartAttempts = 3;

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _dataFolder;

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    public int TablePort { get; private set; }

    /// <summary>The temporary folder Azurite keeps its data in; deleted on dispose.</summary>
    public string? DataFolder => _dataFolder;

    /// <summary>A connection string for the Azure SDK clients, all three endpoints on 127.0.0.1.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    public async Task InitializeAsync()
    {
        var executable = LocateAzurite();
        Exception? last = null;
        for (var attempt = 1; attempt <= StartAttempts; attempt++)
        {
            try
            {
                await StartAsync(executable).ConfigureAwait(false);
                return;
            }
            catch (AzuriteStartException e)
            {
                // Most often a port taken between choosing it and Azurite binding it: try new ports.
                last = e;
                await StopAsync().ConfigureAwait(false);
            }
        }
        throw new InvalidOperationException($"Azurite did not start after {StartAttempts} attempts.", last);
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>
    /// An outage: stops Azurite with <paramref name="signal"/> (TERM lets it save its database,
    /// KILL does not) and keeps its ports and data folder, so <see cref="RestartAsync"/> brings
    /// the same account back.
    /// </summary>
    public async Task StopForOutageAsync(string signal = "TERM")
    {
        var process = _process ?? throw new InvalidOperationException("Azurite is not running");
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
        _process = null;
    }

    /// <summary>Starts Azurite again after <see cref="StopForOutageAsync"/>, on the same ports and data.</summary>
    public Task RestartAsync() =>
        _process is null && _dataFolder is not null
            ? StartAsync(LocateAzurite(), samePlace: true)
            : throw new InvalidOperationException("Azurite was not stopped for an outage");

    /// <summary>
    /// The Azurite launcher: <c>AZURITE_BIN</c> if set, else the copy the MetaRec.Testing build
    /// installed from its package-lock.json.
    /// </summary>
    public static string LocateAzurite()
    {
        var configured = Environment.GetEnvironmentVariable("AZURITE_BIN");
        var path = string.IsNullOrEmpty(configured) ? BuildMetadata("MetaRec.AzuriteBin") : configured;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Azurite not found at '{path}'. Build tests/MetaRec.Testing (it runs `npm ci` there) or set AZURITE_BIN.",
                path);
        }
        return path;
    }

    private async Task StartAsync(string executable, bool samePlace = false)
    {
        _output.Clear();
        if (!samePlace)
        {
            _dataFolder = Directory.CreateTempSubdirectory("metarec-azurite-").FullName;
            (BlobPort, QueuePort, TablePort) = (FreePort(), FreePort(), FreePort());
        }
        var folder = _dataFolder ?? throw new InvalidOperationException("Azurite has no data folder");

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--skipApiVersionCheck", "--disableProductStyleUrl", "--loose",
            "--location", folder,
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new AzuriteStartException("Process.Start returned null");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AnswersAsync(http, port).ConfigureAwait(false))
            {
                if (_process.HasExited)
                {
                    throw new AzuriteStartException($"Azurite exited with code {_process.ExitCode}:\n{Output()}");
                }
                if (deadline.Elapsed > StartTimeout)
                {
                    throw new AzuriteStartException($"Azurite did not answer on port {port} within {StartTimeout}:\n{Output()}");
                }
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
        // An answer may come from another Azurite on a port this one could not bind (it then
        // exits): make sure ours is still running before trusting the ports.
        await Task.Delay(300).ConfigureAwait(false);
        if (_process.HasExited)
        {
            throw new AzuriteStartException($"Azurite exited with code {_process.ExitCode} after its ports answered (another process holds one?):\n{Output()}");
        }
    }

    private async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
            process.Dispose();
        }
        if (_dataFolder is { } folder && Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        _dataFolder = null;
    }

    private static async Task<bool> AnswersAsync(HttpClient http, int port)
    {
        try
        {
            // Any HTTP answer (Azurite replies 400/403 to an unsigned request) means it is serving.
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/")).ConfigureAwait(false);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    internal static string BuildMetadata(string key) =>
        typeof(AzuriteFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing from MetaRec.Testing.");

    private sealed class AzuriteStartException(string message) : Exception(message);
}
