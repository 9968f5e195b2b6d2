using MetaRec.Storage.Windows;

namespace MetaRec.Functions.Serving;

/// <summary>
/// Once at start: moves user windows stored in the old flat layout (<c>windows/{user}.json</c>)
/// under their hash buckets, where the per-shard refresh lists them. Safe to run again; until
/// it has run, old windows are still read and listed. A failure is logged, never fatal.
/// </summary>
public sealed partial class WindowLayoutMigration(IUserWindowStore windows, ILogger<WindowLayoutMigration> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var moved = await windows.MigrateLegacyAsync(stoppingToken).ConfigureAwait(false);
            if (moved > 0)
            {
                LogMoved(log, moved);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogFailed(log, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "moved {Count} user windows into their hash buckets")]
    private static partial void LogMoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "moving user windows into their hash buckets failed; old windows are still read, and the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
