namespace MetaRec.Functions.Timers;

/// <summary>When the schedule last ran, runs next, and when the record was last written.</summary>
public sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

/// <summary>
/// What a timer function is told about its run, the same under either trigger: the host's
/// <c>[TimerTrigger]</c> (<see cref="From"/>) or the standalone <see cref="Standalone.TimerTrigger"/>.
/// </summary>
public sealed record TimerInfo(ScheduleStatus? ScheduleStatus, bool IsPastDue)
{
    /// <summary>The host's timer payload as ours.</summary>
    public static TimerInfo From(Microsoft.Azure.Functions.Worker.TimerInfo timer)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var status = timer.ScheduleStatus is { } s ? new ScheduleStatus(s.Last, s.Next, s.LastUpdated) : null;
        return new TimerInfo(status, timer.IsPastDue);
    }
}
