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
/// Memory is bounded by the users refreshed within one interval: a user's last-refresh time is
/// dropped once it is an interval old (it would no longer defer anything), swept whenever the
/// table has doubled since the last sweep.
/// </summary>
public sealed partial class RefreshScheduler(IOptions<FunctionAppOptions> options, TimeProvider time, ILogger<RefreshScheduler> log) : IDisposable
{
    private readonly TimeSpan _interval = options.Value.Interactions.RefreshInterval;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _last = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Lock _sweeping = new();
    private int _sweepAt = MinSweep;

    /// <summary>The table size below which it is never swept.</summary>
    private const int MinSweep = 1024;

    /// <summary>How many locks users share (by hash): a refresh waits only for one of its stripe.</summary>
    private const int Stripes = 256;

    public async Task<RefreshOutcome> RequestAsync(string userId, Func<string, CancellationToken, Task<bool>> refresh, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var now = time.GetUtcNow();
        if (_interval > TimeSpan.Zero && _last.TryGetValue(userId, out var last) && now - last < _interval)
        {
            var due = last + _interval - now;
            if (!_pending.ContainsKey(userId))
            {
                var run = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                if (_pending.TryAdd(userId, run))
                {
                    _ = Task.Run(() => RunLaterAsync(userId, due, refresh, run));
                }
                else
                {
                    run.Dispose(); // another request scheduled it first: join that one
                }
            }
            return RefreshOutcome.Deferred;
        }
        _last[userId] = now;
        SweepIfGrown(now);
        var written = await refresh(userId, cancellation).ConfigureAwait(false);
        return written ? RefreshOutcome.Refreshed : RefreshOutcome.Unchanged;
    }

    /// <summary>
    /// Forgets <paramref name="userId"/>: the scheduled refresh, if any, is cancelled, and the
    /// next request refreshes at once (the user's data was deleted). A refresh already running
    /// is not stopped; the deletion waits for it through <see cref="LockAsync"/>.
    /// </summary>
    public void Forget(string userId)
    {
        _last.TryRemove(userId, out _);
        if (_pending.TryRemove(userId, out var run))
        {
            try
            {
                run.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It had just ended.
            }
        }
    }

    /// <summary>
    /// Holds <paramref name="userId"/>'s lock on this instance until disposed: a refresh and a
    /// deletion of the same user never overlap here, so a refresh that read the window before
    /// the deletion cannot write the state after it. Users share 256 locks by hash.
    /// </summary>
    public async Task<IDisposable> LockAsync(string userId, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(userId) % Stripes];
        await stripe.WaitAsync(cancellation).ConfigureAwait(false);
        return new Held(stripe);
    }

    /// <summary>Users whose last refresh time is held (for a test of the bound).</summary>
    public int Tracked => _last.Count;

    /// <summary>Whether a refresh of <paramref name="userId"/> is scheduled.</summary>
    public bool IsPending(string userId) => _pending.ContainsKey(userId);

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        // The stripes are left to the collector: a refresh still running at shutdown releases its own.
    }

    /// <summary>
    /// Drops the users whose last refresh is an interval old, once the table has doubled since the
    /// last sweep: amortized O(1) a request, and the table stays within twice the users refreshed
    /// in one interval (or <see cref="MinSweep"/>).
    /// </summary>
    private void SweepIfGrown(DateTimeOffset now)
    {
        if (_last.Count < _sweepAt || !_sweeping.TryEnter())
        {
            return;
        }
        try
        {
            foreach (var (user, last) in _last)
            {
                if (now - last >= _interval)
                {
                    _last.TryRemove(KeyValuePair.Create(user, last)); // not if it was refreshed meanwhile
                }
            }
            _sweepAt = Math.Max(MinSweep, 2 * _last.Count);
        }
        finally
        {
            _sweeping.Exit();
        }
    }

    private async Task RunLaterAsync(string userId, TimeSpan due, Func<string, CancellationToken, Task<bool>> refresh, CancellationTokenSource run)
    {
        try
        {
            await Task.Delay(due, time, run.Token).ConfigureAwait(false);
            if (!_pending.TryRemove(KeyValuePair.Create(userId, run)))
            {
                return; // forgotten meanwhile
            }
            // Events from now on schedule a new one.
            _last[userId] = time.GetUtcNow();
            await refresh(userId, run.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping, or the user was forgotten.
        }
        catch (Exception e)
        {
            LogDeferredFailed(log, e, userId);
        }
        finally
        {
            _pending.TryRemove(KeyValuePair.Create(userId, run));
            run.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "user {UserId}: the scheduled refresh failed; the next event retries it")]
    private static partial void LogDeferredFailed(ILogger logger, Exception error, string userId);

    private sealed class Held(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
