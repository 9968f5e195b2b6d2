using MetaRec.Functions.Timers;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Standalone;

/// <summary>
/// Standalone's trigger for the timer functions: each one runs on its cron schedule, read in
/// <c>MetaRec:Timers:TimeZone</c>, with a <see cref="TimerInfo"/> shaped like the host's. Runs of
/// one function never overlap: occurrences that pass while a run lasts (or while the process is
/// suspended) are caught up by one run as soon as it ends, marked <see cref="TimerInfo.IsPastDue"/>,
/// and the schedule resumes from that run's start. A failed or throwing run is logged and the
/// schedule goes on. Nothing is persisted: occurrences missed while the app was stopped are not
/// run (the host's schedule monitor does that under Azure).
/// </summary>
public sealed partial class TimerTrigger(IEnumerable<ITimerFunction> functions, IOptions<FunctionAppOptions> options, TimeProvider time, ILogger<TimerTrigger> log) : BackgroundService
{
    /// <summary>A run that starts later than its occurrence by more than this is past due.</summary>
    public static readonly TimeSpan PastDueTolerance = TimeSpan.FromSeconds(1);

    /// <summary>Waits are cut into pieces of at most this, so a far occurrence follows clock changes (and stays within timer limits).</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var zone = options.Value.Timers.Zone();
        return Task.WhenAll(functions.Select(function => ScheduleAsync(function, zone, stoppingToken)));
    }

    private async Task ScheduleAsync(ITimerFunction function, TimeZoneInfo zone, CancellationToken stoppingToken)
    {
        await Task.Yield(); // one function's start-up run must not hold the others (or the host's start)
        CronSchedule schedule;
        try
        {
            schedule = function.Timer.ParseSchedule();
        }
        catch (FormatException e)
        {
            LogBadSchedule(log, function.Name, e.Message);
            return;
        }
        var recorded = time.GetUtcNow();
        var due = schedule.Next(recorded, zone);
        LogScheduled(log, function.Name, schedule.Expression, zone.Id, due);
        var status = new ScheduleStatus(DateTimeOffset.MinValue, due, recorded);
        try
        {
            if (function.Timer.RunOnStartup)
            {
                var started = time.GetUtcNow();
                await RunAsync(function, new TimerInfo(status, IsPastDue: false), started, stoppingToken).ConfigureAwait(false);
                status = status with { Last = started, LastUpdated = started };
            }
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitUntilAsync(due, stoppingToken).ConfigureAwait(false);
                var started = time.GetUtcNow();
                var info = new TimerInfo(status, IsPastDue: started - due > PastDueTolerance);
                var next = schedule.Next(started, zone);
                await RunAsync(function, info, due, stoppingToken).ConfigureAwait(false);
                status = new ScheduleStatus(started, next, started);
                due = next;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Returns once the clock has reached <paramref name="due"/> (never before it).</summary>
    private async Task WaitUntilAsync(DateTimeOffset due, CancellationToken cancellation)
    {
        while (due - time.GetUtcNow() is var left && left > TimeSpan.Zero)
        {
            await Task.Delay(left < LongestWait ? left : LongestWait, time, cancellation).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(ITimerFunction function, TimerInfo timer, DateTimeOffset due, CancellationToken cancellation)
    {
        LogStarting(log, function.Name, due, timer.IsPastDue);
        var started = time.GetTimestamp();
        var outcome = await function.RunGuardedAsync(timer, log, cancellation).ConfigureAwait(false);
        var elapsed = time.GetElapsedTime(started);
        foreach (var line in outcome.Logs)
        {
            LogLine(log, function.Name, line);
        }
        if (outcome.Succeeded)
        {
            LogSucceeded(log, function.Name, elapsed.TotalMilliseconds);
        }
        else
        {
            LogFailed(log, function.Name, elapsed.TotalMilliseconds, outcome.Failure);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "timer {Function}: '{Schedule}' in {Zone}, first occurrence {Due:o}")]
    private static partial void LogScheduled(ILogger logger, string function, string schedule, string zone, DateTimeOffset due);

    [LoggerMessage(Level = LogLevel.Error, Message = "timer {Function} is not scheduled: {Reason}")]
    private static partial void LogBadSchedule(ILogger logger, string function, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "timer {Function} starting for {Due:o} (past due: {PastDue})")]
    private static partial void LogStarting(ILogger logger, string function, DateTimeOffset due, bool pastDue);

    [LoggerMessage(Level = LogLevel.Information, Message = "timer {Function}: {Line}")]
    private static partial void LogLine(ILogger logger, string function, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "timer {Function} succeeded in {Milliseconds:F0} ms")]
    private static partial void LogSucceeded(ILogger logger, string function, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "timer {Function} failed after {Milliseconds:F0} ms: {Reason}")]
    private static partial void LogFailed(ILogger logger, string function, double milliseconds, string? reason);
}
