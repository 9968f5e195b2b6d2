using MetaRec.Abstractions;
using MetaRec.Core.Plugins;
using MetaRec.Storage.Registry;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Serving;

/// <summary>
/// The family's active version, loaded once per instance and swapped when the registry's active
/// pointer moves. A version whose checkpoint is bad (torn, tampered, not of the family) is logged
/// and not tried again; the version already served keeps serving, and an instance that serves
/// none yet falls back to the newest earlier version of the pointer that loads. Storage failures
/// are retried at the next poll.
/// </summary>
public sealed partial class ActiveModelProvider : IDisposable
{
    private readonly IModelRegistry _registry;
    private readonly IModelFamily _family;
    private readonly ILogger<ActiveModelProvider> _log;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private ServedModel? _current;
    private string? _failedVersion;

    public ActiveModelProvider(IModelRegistry registry, PluginCatalog plugins, IOptions<FunctionAppOptions> options, ILogger<ActiveModelProvider> log)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _log = log;
        var name = options.Value.Family;
        _family = plugins.Families.FirstOrDefault(f => f.Name == name)
            ?? throw new ArgumentException(
                $"MetaRec:Family '{name}' is not among the loaded model families ({string.Join(", ", plugins.Families.Select(f => f.Name))})",
                nameof(options));
    }

    public string Family => _family.Name;

    /// <summary>The active version's name, or null before the first load.</summary>
    public string? Version => Volatile.Read(ref _current)?.Version;

    public bool IsReady => Volatile.Read(ref _current) is not null;

    /// <summary>A hold on the current model, or false when none is loaded yet.</summary>
    public bool TryAcquire(out ModelLease lease)
    {
        while (Volatile.Read(ref _current) is { } model)
        {
            if (model.TryAddReference())
            {
                lease = new ModelLease(model);
                return true;
            }
            // Retired between the read and the increment: read the new one.
        }
        lease = default;
        return false;
    }

    /// <summary>Loads the active version if it differs from the one served. Returns whether a new version went live.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellation)
    {
        await _loading.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var active = await _registry.GetActiveAsync(_family.Name, cancellation).ConfigureAwait(false);
            if (active is null)
            {
                LogNoActive(_log, _family.Name);
                return false;
            }
            if (active.Version == Version || active.Version == _failedVersion)
            {
                return false;
            }
            ServedModel next;
            try
            {
                next = await LoadAsync(active.Version, cancellation).ConfigureAwait(false);
                _failedVersion = null;
            }
            catch (Exception e) when (IsBadCheckpoint(e))
            {
                _failedVersion = active.Version;
                LogLoadFailed(_log, e, _family.Name, active.Version, Version ?? "none");
                if (Version is not null || await LoadPreviousAsync(active, cancellation).ConfigureAwait(false) is not { } previousGood)
                {
                    return false;
                }
                next = previousGood;
            }
            var previous = Interlocked.Exchange(ref _current, next);
            previous?.Release();
            LogSwapped(_log, _family.Name, next.Version, previous?.Version ?? "none");
            return true;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _current, null)?.Release();
        _loading.Dispose();
    }

    /// <summary>
    /// An instance starting with a bad active version: the newest earlier version of the pointer
    /// that loads, so the instance serves a verified model instead of none; null when none does.
    /// </summary>
    private async Task<ServedModel?> LoadPreviousAsync(ActiveModel active, CancellationToken cancellation)
    {
        foreach (var version in active.Previous)
        {
            try
            {
                var model = await LoadAsync(version, cancellation).ConfigureAwait(false);
                LogFellBack(_log, _family.Name, version, active.Version);
                return model;
            }
            catch (Exception e) when (IsBadCheckpoint(e))
            {
                LogLoadFailed(_log, e, _family.Name, version, "none");
            }
        }
        return null;
    }

    /// <summary>
    /// A checkpoint that will not load however often it is tried: its weights do not match the
    /// manifest (torn, tampered), its bytes are not a model of the family, or it is missing.
    /// Anything else (storage unreachable, an I/O hiccup) is retried at the next poll.
    /// </summary>
    private static bool IsBadCheckpoint(Exception e) =>
        e is CorruptCheckpointException or InvalidDataException or ArgumentException or KeyNotFoundException or NotSupportedException;

    private async Task<ServedModel> LoadAsync(string version, CancellationToken cancellation)
    {
        var (model, manifest) = await _registry.LoadAsync(_family.Name, version, _family.Load, cancellation).ConfigureAwait(false);
        try
        {
            return new ServedModel(manifest, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "family {Family} has no active version in the registry yet: not ready")]
    private static partial void LogNoActive(ILogger logger, string family);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Family}/{Version} could not be loaded; still serving {Serving}")]
    private static partial void LogLoadFailed(ILogger logger, Exception error, string family, string version, string serving);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Family}: the active version {Active} does not load; serving the earlier {Version} it replaced")]
    private static partial void LogFellBack(ILogger logger, string family, string version, string active);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Family}: now serving {Version} (was {Previous})")]
    private static partial void LogSwapped(ILogger logger, string family, string version, string previous);
}

/// <summary>Polls the active pointer on every instance (a timer function would run on one instance only).</summary>
public sealed partial class ActiveModelWatcher(ActiveModelProvider provider, IOptions<FunctionAppOptions> options, ILogger<ActiveModelWatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ModelPollInterval);
        do
        {
            try
            {
                await provider.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(log, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "checking the active model failed; retrying at the next poll")]
    private static partial void LogPollFailed(ILogger logger, Exception error);
}
