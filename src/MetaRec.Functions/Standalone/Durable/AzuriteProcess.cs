using System.Diagnostics;
using System.Net.Sockets;
using MetaRec.Functions.Training;

namespace MetaRec.Functions.Standalone.Durable;

/// <summary>
/// The embedded default's storage emulator: Azurite started as a child process on its default
/// ports (Blob 10000, Queue 10001, Table 10002) on 127.0.0.1, with <c>--skipApiVersionCheck</c>,
/// when nothing listens there yet. An Azurite already running is used as it is.
/// </summary>
public sealed partial class AzuriteProcess(ILogger log) : IAsyncDisposable
{
    private static readonly int[] Ports = [10000, 10001, 10002];
    private Process? _process;

    /// <summary>Whether something answers on Azurite's blob port.</summary>
    public static async Task<bool> ListeningAsync(int port = 10000)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Starts Azurite unless one answers already; throws naming what is missing.</summary>
    public async Task EnsureRunningAsync(DurableOptions options, string storageFolder, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (await ListeningAsync().ConfigureAwait(false))
        {
            return;
        }
        var executable = Locate(options.Azurite) ?? throw NoAzurite();
        var folder = options.AzuriteFolder.Length > 0 ? options.AzuriteFolder : Path.Combine(storageFolder, "azurite");
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--skipApiVersionCheck", "--silent", "--location", folder, "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1" })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var port in Ports)
        {
            while (!await ListeningAsync(port).ConfigureAwait(false))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Azurite ({executable}) did not answer on 127.0.0.1:{port}" + (_process.HasExited ? $"; it exited with code {_process.ExitCode}" : " within 60 s"));
                }
                await Task.Delay(100, cancellation).ConfigureAwait(false);
            }
        }
        LogStarted(log, executable, folder);
    }

    public async ValueTask DisposeAsync()
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
    }

    /// <summary>The configured launcher, <c>AZURITE_BIN</c>, <c>azurite</c> on PATH, or the repository's pinned copy above the app.</summary>
    private static string? Locate(string configured)
    {
        if (configured.Length > 0)
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"MetaRec:Durable:Azurite names '{configured}', which does not exist", configured);
        }
        if (Environment.GetEnvironmentVariable("AZURITE_BIN") is { Length: > 0 } variable && File.Exists(variable))
        {
            return variable;
        }
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "azurite");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var pinned = Path.Combine(dir.FullName, "tests", "MetaRec.Testing", "node_modules", ".bin", "azurite");
            if (File.Exists(pinned))
            {
                return pinned;
            }
        }
        return null;
    }

    /// <summary>What a machine without Azurite is told.</summary>
    private static TrainingBackendUnavailableException NoAzurite() => new(
            "training runs need the Durable backend's storage, and no Azurite was found: install it (`npm install -g azurite`, or build tests/MetaRec.Testing, which installs the pinned copy), " +
            "set MetaRec:Durable:Azurite to its launcher, start one yourself on the default ports, or set MetaRec:Durable:ConnectionString to a storage account");

    [LoggerMessage(Level = LogLevel.Information, Message = "started Azurite ({Executable}) for the Durable backend, data in {Folder}")]
    private static partial void LogStarted(ILogger logger, string executable, string folder);
}
