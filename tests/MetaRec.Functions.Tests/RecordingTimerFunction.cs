using System.Collections.Concurrent;
using MetaRec.Functions.Timers;

namespace MetaRec.Functions.Tests;

/// <summary>One run as the function saw it: the timer it was given and the clock when it started.</summary>
public sealed record TimerRun(TimerInfo Timer, DateTimeOffset StartedAt);

/// <summary>
/// A real timer function for the tests (the app's first production one, model generation,
/// comes later): records every run, counts runs in flight, and runs what the test gives it
/// (by default it succeeds with one log line).
/// </summary>
public sealed class RecordingTimerFunction(string name, TimerFunctionOptions timer, TimeProvider time, Func<int, CancellationToken, Task<TimerOutcome>>? behaviour = null) : ITimerFunction
{
    private readonly ConcurrentQueue<TimerRun> _runs = new();
    private int _inFlight;
    private int _mostAtOnce;

    public string Name => name;

    public TimerFunctionOptions Timer => timer;

    public IReadOnlyList<TimerRun> Runs => [.. _runs];

    /// <summary>The most runs that were in flight at once.</summary>
    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    public async Task<TimerOutcome> RunAsync(TimerInfo timer, CancellationToken cancellation)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _mostAtOnce, inFlight);
        try
        {
            _runs.Enqueue(new TimerRun(timer, time.GetUtcNow()));
            var number = _runs.Count;
            return behaviour is null
                ? TimerOutcome.Success($"run {number} (past due: {timer.IsPastDue})")
                : await behaviour(number, cancellation);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The runs once there are at least <paramref name="count"/> (30 s at most).</summary>
    public async Task<IReadOnlyList<TimerRun>> WaitForRunsAsync(int count) =>
        await EndToEndTests.EventuallyAsync(() => Task.FromResult(_runs.Count >= count ? Runs : null));

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var actual && actual != seen)
        {
            seen = actual;
        }
    }
}
