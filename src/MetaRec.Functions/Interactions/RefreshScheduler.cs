using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Interactions;

public enum RefreshOutcome
{
    /// <summary>Refreshed now.</summary>
    Refreshed,

    /// <summary>Refreshed recently: one refresh is scheduled for the end of the interval.</summary>
    Deferred,

    /// <summary>Nothing new and the stored state already matches.</summary>
    Unchanged,
}

/// <summary>
/// The debounce: at most one refresh per user per interval on this instance. A request inside
/// the interval schedules one refresh at its end (further requests join it), so the last events
/// are always reflected. A scheduled refresh lost with the process is caught up by the next
/// event: refreshes compare the stored watermark with the window, not with memory.
/// </summary>
public sealed partial class RefreshScheduler(IOptions<FunctionAppOptions> options, TimeProvider time, ILogger<RefreshScheduler> log) : IDisposable
{
    private readonly TimeSpan _interval = options.Value.Interactions.RefreshInterval;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public async Task<RefreshOutcome> RequestAsync(string userId, Func<string, CancellationToken, Task<bool>> refresh, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var now = time.GetUtcNow();
        if (_interval > TimeSpan.Zero && _last.TryGetValue(userId, out var last) && now - last < _interval)
        {
            var due = last + _interval - now;
            _ = _pending.GetOrAdd(userId, u => Task.Run(() => RunLaterAsync(u, due, refresh)));
            return RefreshOutcome.Deferred;
        }
        _last[userId] = now;
        var written = await refresh(userId, cancellation).ConfigureAwait(false);
        return written ? RefreshOutcome.Refreshed : RefreshOutcome.Unchanged;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunLaterAsync(string userId, TimeSpan due, Func<string, CancellationToken, Task<bool>> refresh)
    {
        try
        {
            await Task.Delay(due, time, _stopping.Token).ConfigureAwait(false);
            _pending.TryRemove(userId, out _); // events from now on schedule a new one
            _last[userId] = time.GetUtcNow();
            await refresh(userId, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(userId, out _);
        }
        catch (Exception e)
        {
            _pending.TryRemove(userId, out _);
            LogDeferredFailed(log, e, userId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "user {UserId}: the scheduled refresh failed; the next event retries it")]
    private static partial void LogDeferredFailed(ILogger logger, Exception error, string userId);
}
