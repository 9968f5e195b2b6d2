using MetaRec.Functions.Timers;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The standalone timer trigger inside the app, on a fake clock: runs fire at their
/// occurrences with the schedule status the host would send, runs of one function never
/// overlap and a long run is caught up once, past due; failures are logged and the schedule
/// goes on; schedules are read in the configured zone.
/// </summary>
public sealed class TimerTriggerTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-22T02:58:30Z", null);

    /// <summary>Long enough for the app's loop to have started a run it was going to start.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly TempFolder _temp = new("metarec-timer-trigger-");
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly LogRecorder _logs = new();

    private string Folder => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Each_occurrence_runs_on_time_with_the_schedule_status_the_host_would_send()
    {
        var nightly = Function("0 */5 * * * *");
        await using var app = await StartAsync(nightly);
        await _logs.WaitForAsync("timer Nightly: '0 */5 * * * *' in UTC, first occurrence 2026-11-22T03:00:00");

        await AdvanceToAsync("2026-11-22T03:00:00Z");
        var first = (await nightly.WaitForRunsAsync(1))[0];
        await AdvanceToAsync("2026-11-22T03:05:00Z");
        var second = (await nightly.WaitForRunsAsync(2))[1];

        Assert.Equal(At("2026-11-22T03:00:00Z"), first.StartedAt);
        Assert.Equal(new TimerInfo(new ScheduleStatus(DateTimeOffset.MinValue, At("2026-11-22T03:00:00Z"), Start), IsPastDue: false), first.Timer);
        Assert.Equal(At("2026-11-22T03:05:00Z"), second.StartedAt);
        Assert.Equal(new TimerInfo(new ScheduleStatus(At("2026-11-22T03:00:00Z"), At("2026-11-22T03:05:00Z"), At("2026-11-22T03:00:00Z")), IsPastDue: false), second.Timer);
        await _logs.WaitForAsync("timer Nightly succeeded in");
        Assert.Contains(_logs.Lines, l => l.Message == "timer Nightly: run 2 (past due: False)");
    }

    [Fact]
    public async Task Runs_never_overlap_and_occurrences_missed_during_a_long_run_are_caught_up_once_past_due()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var nightly = Function("0 */5 * * * *", async (n, cancellation) =>
        {
            if (n == 1)
            {
                await release.Task.WaitAsync(cancellation);
            }
            return TimerOutcome.Success($"run {n}");
        });
        await using var app = await StartAsync(nightly);
        await _logs.WaitForAsync("first occurrence");

        await AdvanceToAsync("2026-11-22T03:00:00Z");
        await nightly.WaitForRunsAsync(1);
        for (var minute = 1; minute <= 12; minute++) // 03:05 and 03:10 pass while the first run lasts
        {
            await AdvanceToAsync($"2026-11-22T03:{minute:00}:00Z");
        }
        await Task.Delay(Settle);
        Assert.Single(nightly.Runs);

        release.SetResult();
        var catchUp = (await nightly.WaitForRunsAsync(2))[1];
        await Task.Delay(Settle);
        Assert.Equal(2, nightly.Runs.Count); // one run for 03:05 and 03:10, not one each

        Assert.Equal(At("2026-11-22T03:12:00Z"), catchUp.StartedAt);
        Assert.True(catchUp.Timer.IsPastDue);
        Assert.Equal(new ScheduleStatus(At("2026-11-22T03:00:00Z"), At("2026-11-22T03:05:00Z"), At("2026-11-22T03:00:00Z")), catchUp.Timer.ScheduleStatus);

        await AdvanceToAsync("2026-11-22T03:15:00Z");
        var onTime = (await nightly.WaitForRunsAsync(3))[2];
        Assert.False(onTime.Timer.IsPastDue);
        Assert.Equal(new ScheduleStatus(At("2026-11-22T03:12:00Z"), At("2026-11-22T03:15:00Z"), At("2026-11-22T03:12:00Z")), onTime.Timer.ScheduleStatus);
        Assert.Equal(1, nightly.MostAtOnce);
        Assert.Contains(_logs.Lines, l => l.Message.StartsWith("timer Nightly starting for 2026-11-22T03:05:00.0000000+00:00 (past due: True)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnStartup_runs_once_as_the_app_starts_then_on_schedule()
    {
        var nightly = Function("0 */5 * * * *", runOnStartup: true);
        await using var app = await StartAsync(nightly);

        var startup = (await nightly.WaitForRunsAsync(1))[0];
        await AdvanceToAsync("2026-11-22T03:00:00Z");
        var scheduled = (await nightly.WaitForRunsAsync(2))[1];

        Assert.Equal(new TimerRun(new TimerInfo(new ScheduleStatus(DateTimeOffset.MinValue, At("2026-11-22T03:00:00Z"), Start), IsPastDue: false), Start), startup);
        Assert.Equal(new TimerInfo(new ScheduleStatus(Start, At("2026-11-22T03:00:00Z"), Start), IsPastDue: false), scheduled.Timer);
    }

    [Fact]
    public async Task A_throwing_or_failed_run_is_logged_and_the_schedule_goes_on()
    {
        var nightly = Function("0 */5 * * * *", (n, _) => n switch
        {
            1 => throw new InvalidOperationException("registry unreachable"),
            2 => Task.FromResult(TimerOutcome.Failed("no interactions logged yet", "read 0 interactions")),
            _ => Task.FromResult(TimerOutcome.Success("generated v3")),
        });
        await using var app = await StartAsync(nightly);
        await _logs.WaitForAsync("first occurrence");

        foreach (var due in new[] { "03:00", "03:05", "03:10" })
        {
            await AdvanceToAsync($"2026-11-22T{due}:00Z");
            await _logs.WaitForAsync($"timer Nightly starting for 2026-11-22T{due}");
        }
        await _logs.WaitForAsync("timer Nightly: generated v3");

        var threw = Assert.Single(_logs.Lines, l => l.Message == "timer Nightly threw");
        Assert.Equal(LogLevel.Error, threw.Level);
        Assert.Equal("registry unreachable", threw.Error?.Message);
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Error && l.Message.StartsWith("timer Nightly failed after", StringComparison.Ordinal) && l.Message.EndsWith("InvalidOperationException: registry unreachable", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Error && l.Message.EndsWith("ms: no interactions logged yet", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.Message == "timer Nightly: read 0 interactions");
        await _logs.WaitForAsync("timer Nightly succeeded in");
        Assert.Equal(3, nightly.Runs.Count);
    }

    [Theory]
    [InlineData("MetaRec:Timers:TimeZone", "Europe/Berlin", "2026-11-23T02:00:00Z", "2026-11-23T03:00:00.0000000+01:00")] // 03:58 in Berlin at the start: tomorrow
    [InlineData("WEBSITE_TIME_ZONE", "America/New_York", "2026-11-22T08:00:00Z", "2026-11-22T03:00:00.0000000-05:00")]
    public async Task Schedules_are_read_in_the_configured_zone(string setting, string zone, string dueUtc, string dueLocal)
    {
        var nightly = Function("0 0 3 * * *");
        await using var app = await StartAsync(nightly, new Dictionary<string, string> { [setting] = zone });
        await _logs.WaitForAsync($"timer Nightly: '0 0 3 * * *' in {zone}, first occurrence {dueLocal}");

        await AdvanceToAsync(dueUtc);

        var run = (await nightly.WaitForRunsAsync(1))[0];
        Assert.Equal(At(dueUtc), run.StartedAt);
        Assert.Equal(At(dueUtc), run.Timer.ScheduleStatus!.Next);
        Assert.False(run.Timer.IsPastDue);
    }

    [Fact]
    public async Task Timers_switched_off_do_not_run_standalone()
    {
        var nightly = Function("0 */5 * * * *", runOnStartup: true);
        await using var app = await StartAsync(nightly, new Dictionary<string, string> { ["MetaRec:Timers:Enabled"] = "false" });

        await AdvanceToAsync("2026-11-22T03:00:00Z");
        await Task.Delay(Settle);

        Assert.Empty(nightly.Runs);
        Assert.DoesNotContain(_logs.Lines, l => l.Message.StartsWith("timer Nightly", StringComparison.Ordinal));
    }

    private RecordingTimerFunction Function(string schedule, Func<int, CancellationToken, Task<TimerOutcome>>? behaviour = null, bool runOnStartup = false) =>
        new("Nightly", new TimerFunctionOptions(schedule) { RunOnStartup = runOnStartup }, _clock, behaviour);

    /// <summary>The app standalone on folder storage, with the fake clock, the log recorder and the function.</summary>
    private async Task<FunctionAppFactory> StartAsync(ITimerFunction function, Dictionary<string, string>? settings = null)
    {
        var app = FunctionAppFactory.Folder(Folder, settings, services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            services.AddSingleton<ILoggerProvider>(_logs);
            services.AddSingleton(function);
        });
        _ = app.Services; // starts the host and its hosted services
        await Task.Yield();
        return app;
    }

    private async Task AdvanceToAsync(string time)
    {
        var target = At(time);
        Assert.True(target >= _clock.GetUtcNow(), $"the clock is already past {time}");
        _clock.Advance(target - _clock.GetUtcNow());
        await Task.Yield();
    }

    private static DateTimeOffset At(string time) => DateTimeOffset.Parse(time, null);
}
