namespace MetaRec.Functions.Timers;

/// <summary>
/// A schedule in the Azure Functions timer trigger's NCRONTAB format: six fields
/// <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, each <c>*</c>, a value, a
/// list <c>a,b</c>, a range <c>a-b</c>, or a step <c>*/n</c>, <c>a-b/n</c>, <c>a/n</c>; months
/// Jan–Dec and days Sun–Sat by name (any case, three letters or in full); day-of-week 0–6
/// with 0 = Sunday.
/// </summary>
/// <remarks>
/// <para>
/// Day and day-of-week both have to match, as in NCrontab (which the Functions host uses):
/// <c>0 0 0 13 * Fri</c> is every Friday the 13th, not every 13th plus every Friday as in
/// classic cron.
/// </para>
/// <para>
/// Occurrences are wall-clock times in a time zone. Across a daylight-saving change: an
/// occurrence whose local time does not exist (the hour skipped in spring) fires at the first
/// instant after the gap, once however many occurrences the gap held; an occurrence whose
/// local time happens twice (the hour repeated in autumn) fires once, at the first of the two,
/// so in the repeated hour nothing fires again; a schedule that fires every few minutes pauses
/// for that hour.
/// </para>
/// </remarks>
public sealed class CronSchedule
{
    /// <summary>Far enough for any schedule that can fire (Feb 29 on a given weekday recurs within 40 years).</summary>
    private const int LastSearchYear = 9998;

    private readonly ulong _seconds;
    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _daysOfWeek;

    private CronSchedule(string expression, ulong[] fields)
    {
        Expression = expression;
        (_seconds, _minutes, _hours, _days, _months, _daysOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <exception cref="FormatException">
    /// Naming the bad field and value (<c>hour field '25' is outside 0-23</c>); a five-field
    /// classic cron expression is refused with a note that NCRONTAB starts with seconds.
    /// </exception>
    public static CronSchedule Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("the schedule is empty; write six fields {second} {minute} {hour} {day} {month} {day-of-week}, e.g. '0 0 3 * * *'");
        }
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 5)
        {
            throw new FormatException($"'{text}' has 5 fields, but an NCRONTAB schedule starts with a seconds field: {{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}} (did you mean '0 {string.Join(' ', parts)}'?)");
        }
        if (parts.Length == 1 && text.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' looks like a TimeSpan; only NCRONTAB schedules are supported, e.g. '0 */5 * * * *' for every five minutes");
        }
        if (parts.Length != 6)
        {
            throw new FormatException($"'{text}' has {parts.Length} fields; an NCRONTAB schedule has 6: {{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}");
        }
        var fields = new ulong[6];
        for (var i = 0; i < 6; i++)
        {
            fields[i] = CronField.All[i].Parse(parts[i]);
        }
        var schedule = new CronSchedule(text.Trim(), fields);
        if (!Enumerable.Range(1, 12).Any(m => CronField.Has(schedule._months, m) && CronField.NextIn(schedule._days, 1) is var d and > 0 && d <= DateTime.DaysInMonth(2000, m)))
        {
            throw new FormatException($"day field '{parts[3]}' never falls in month field '{parts[4]}': the schedule would never fire");
        }
        return schedule;
    }

    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>, reading the schedule in
    /// <paramref name="zone"/>'s local time; the result carries that zone's offset.
    /// </summary>
    public DateTimeOffset Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var wall = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var candidate = new DateTime(wall.Year, wall.Month, wall.Day, wall.Hour, wall.Minute, wall.Second, DateTimeKind.Unspecified);
        while (true)
        {
            candidate = NextWallTime(candidate.AddSeconds(1));
            var instant = ToInstant(candidate, zone);
            // In the repeated autumn hour, a wall time already had its (first) occurrence: skip it.
            if (instant > after)
            {
                return instant;
            }
        }
    }

    public override string ToString() => Expression;

    /// <summary>The first local time at or after <paramref name="time"/> (whole seconds) that every field matches.</summary>
    private DateTime NextWallTime(DateTime time)
    {
        var t = time;
        while (true)
        {
            if (t.Year > LastSearchYear)
            {
                throw new InvalidOperationException($"'{Expression}' has no occurrence after {time:s} before the year {LastSearchYear + 1}");
            }
            if (!CronField.Has(_months, t.Month))
            {
                var month = CronField.NextIn(_months, t.Month + 1);
                t = month > 0 ? new DateTime(t.Year, month, 1) : new DateTime(t.Year + 1, CronField.NextIn(_months, 1), 1);
                continue;
            }
            if (!CronField.Has(_days, t.Day) || !CronField.Has(_daysOfWeek, (int)t.DayOfWeek))
            {
                t = t.Date.AddDays(1);
                continue;
            }
            if (!CronField.Has(_hours, t.Hour))
            {
                var hour = CronField.NextIn(_hours, t.Hour);
                t = hour >= 0 ? t.Date.AddHours(hour) : t.Date.AddDays(1);
                continue;
            }
            if (!CronField.Has(_minutes, t.Minute))
            {
                var minute = CronField.NextIn(_minutes, t.Minute);
                var hourStart = t.Date.AddHours(t.Hour);
                t = minute >= 0 ? hourStart.AddMinutes(minute) : hourStart.AddHours(1);
                continue;
            }
            if (!CronField.Has(_seconds, t.Second))
            {
                var second = CronField.NextIn(_seconds, t.Second);
                var minuteStart = t.Date.AddHours(t.Hour).AddMinutes(t.Minute);
                t = second >= 0 ? minuteStart.AddSeconds(second) : minuteStart.AddMinutes(1);
                continue;
            }
            return t;
        }
    }

    /// <summary>
    /// The instant of a local time: a time in a spring-forward gap moves to the end of the gap;
    /// a time that happens twice is its first (daylight-time) occurrence.
    /// </summary>
    private static DateTimeOffset ToInstant(DateTime wall, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(wall))
        {
            // Gaps begin and end on whole minutes: the first valid minute is the end of the gap.
            var after = new DateTime(wall.Year, wall.Month, wall.Day, wall.Hour, wall.Minute, 0, DateTimeKind.Unspecified);
            do
            {
                after = after.AddMinutes(1);
            }
            while (zone.IsInvalidTime(after));
            return new DateTimeOffset(after, zone.GetUtcOffset(after));
        }
        var offset = zone.IsAmbiguousTime(wall) ? zone.GetAmbiguousTimeOffsets(wall).Max() : zone.GetUtcOffset(wall);
        return new DateTimeOffset(wall, offset);
    }
}
