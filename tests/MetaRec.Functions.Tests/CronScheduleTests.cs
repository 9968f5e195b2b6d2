using MetaRec.Functions.Timers;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The NCRONTAB schedules of the standalone timer trigger, read by Cronos: errors say what is
/// wrong (field count, the field Cronos refused, what the host's NCrontab would not read, a
/// schedule that never fires); next occurrences across boundaries, leap days, weekday names
/// and steps; daylight saving in real tz database zones.
/// </summary>
public sealed class CronScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Theory]
    [InlineData("0 0 25 * * *", "Hours: Value must be a number between 0 and 23")]
    [InlineData("60 * * * * *", "Seconds: Value must be a number between 0 and 59")]
    [InlineData("0 61 * * * *", "Minutes: Value must be a number between 0 and 59")]
    [InlineData("0 0 0 0 * *", "Days of month: Value must be a number between 1 and 31")]
    [InlineData("0 0 0 * 13 *", "Months: Value must be a number between 1 and 12")]
    [InlineData("0 0 0 * Foo *", "Months: Value must be a number between 1 and 12")]
    [InlineData("0 0 0 * * 8", "Days of week: Value must be a number between 0 and 7")]
    [InlineData("*/0 * * * * *", "Seconds: Value must be a number between 1 and 59")]
    [InlineData("0 0 1,,2 * * *", "Hours: Value must be a number between 0 and 23")]
    [InlineData("0 0 0 30,31 Feb *", "never fires: its day field '30,31' never falls in its month field 'Feb'")]
    [InlineData("0 3 * * *", "has 5 fields, but an NCRONTAB schedule starts with a seconds field")]
    [InlineData("0 0 3 * * * 2026", "has 7 fields; an NCRONTAB schedule has 6")]
    [InlineData("   ", "the schedule is empty")]
    [InlineData("00:05:00", "looks like a TimeSpan")]
    [InlineData("%GenerationSchedule%", "is an app-setting reference, which only a [TimerTrigger] attribute resolves")]
    public void A_bad_schedule_is_refused_saying_what_is_wrong(string expression, string message)
    {
        var error = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 ? * * *", "hour field '?': '?' is not NCRONTAB")]
    [InlineData("0 0 0 L * *", "day field 'L': 'L' is not a number")]
    [InlineData("0 0 0 15W * *", "day field '15W': 'W' is not a number")]
    [InlineData("0 0 0 * * 5#3", "day-of-week field '5#3': '#' is not NCRONTAB")]
    [InlineData("0 0 0 * * 5L", "day-of-week field '5L': 'L' is not a three-letter day (Sun-Sat)")]
    [InlineData("0 0 12 * * sunday", "day-of-week field 'sunday': 'sunday' is not a three-letter day (Sun-Sat)")]
    [InlineData("0 0 0 1 JULY *", "month field 'JULY': 'JULY' is not a three-letter month (Jan-Dec)")]
    [InlineData("0 0 5-3 * * *", "hour field '5-3': range '5-3' runs backwards")]
    public void What_Cronos_reads_but_the_hosts_NCrontab_does_not_is_refused(string expression, string message)
    {
        // Cronos alone would take these (5-3 even wraps round midnight); the host would not start the function.
        var error = Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_classic_five_field_expression_is_answered_with_the_six_field_one()
    {
        var error = Assert.Throws<FormatException>(() => CronSchedule.Parse("30 2 * * 1-5"));
        Assert.Contains("did you mean '0 30 2 * * 1-5'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_expression_is_kept_as_given_less_the_outer_spaces()
    {
        Assert.Equal("0  30 4 * * Sun", CronSchedule.Parse("  0  30 4 * * Sun ").Expression);
    }

    [Theory]
    [InlineData("*/15 * * * * *", "2026-11-22T12:00:07Z", "2026-11-22T12:00:15Z")] // within a minute
    [InlineData("*/15 * * * * *", "2026-11-22T12:00:45Z", "2026-11-22T12:01:00Z")] // minute boundary
    [InlineData("0 */20 * * * *", "2026-11-22T12:41:00Z", "2026-11-22T13:00:00Z")] // hour boundary
    [InlineData("0 0 * * * *", "2026-11-22T23:30:00Z", "2026-11-23T00:00:00Z")] // day boundary
    [InlineData("0 0 0 1 * *", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z")] // month boundary
    [InlineData("0 0 0 1 * *", "2026-12-15T00:00:00Z", "2027-01-01T00:00:00Z")] // year boundary
    [InlineData("0 0 3 * * *", "2026-11-22T03:00:00Z", "2026-11-23T03:00:00Z")] // strictly after
    [InlineData("0 0 3 * * *", "2026-11-22T02:59:59.999Z", "2026-11-22T03:00:00Z")]
    [InlineData("0 0 3 * * *", "2026-11-22T03:00:00.0028453Z", "2026-11-23T03:00:00Z")]
    [InlineData("0 0 12 29 Feb *", "2026-03-01T00:00:00Z", "2028-02-29T12:00:00Z")] // leap day
    [InlineData("0 0 12 31 * *", "2026-01-31T13:00:00Z", "2026-03-31T12:00:00Z")] // February has no 31st
    [InlineData("0 30 9 * * Mon-Fri", "2026-11-20T10:00:00Z", "2026-11-23T09:30:00Z")] // Friday to Monday
    [InlineData("0 0 12 * * sun", "2026-11-20T10:00:00Z", "2026-11-22T12:00:00Z")]
    [InlineData("0 0 12 * * 0", "2026-11-20T10:00:00Z", "2026-11-22T12:00:00Z")]
    [InlineData("0 0 0 1 jAn,JUL *", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z")]
    [InlineData("0 0 0 13 * Fri", "2026-01-01T00:00:00Z", "2026-02-13T00:00:00Z")] // both restricted: Friday the 13th
    [InlineData("0 0 0 29 Feb Mon", "2026-03-01T00:00:00Z", "2044-02-29T00:00:00Z")] // decades away
    [InlineData("0 0 9-17/4 * * *", "2026-11-22T09:00:00Z", "2026-11-22T13:00:00Z")]
    [InlineData("0 0 9-17/4 * * *", "2026-11-22T17:00:00Z", "2026-11-23T09:00:00Z")]
    [InlineData("5/20 * * * * *", "2026-11-22T12:00:26Z", "2026-11-22T12:00:45Z")]
    [InlineData("0 0 0 * * *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z")]
    public void Next_is_the_first_occurrence_strictly_after(string expression, string after, string expected)
    {
        var next = CronSchedule.Parse(expression).Next(DateTimeOffset.Parse(after, null), TimeZoneInfo.Utc);
        Assert.Equal(DateTimeOffset.Parse(expected, null), next);
    }

    [Fact]
    public void Steps_and_lists_give_every_listed_value_in_order()
    {
        var schedule = CronSchedule.Parse("0 0,10-20/5,50 8 * * *");
        var times = new List<DateTimeOffset>();
        var at = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 6; i++)
        {
            at = schedule.Next(at, TimeZoneInfo.Utc);
            times.Add(at);
        }
        Assert.Equal([0, 10, 15, 20, 50, 0], times.Select(t => t.Minute));
        Assert.Equal(23, times[^1].Day);
    }

    [Fact]
    public void Occurrences_are_local_times_of_the_zone_with_its_offset()
    {
        // 09:00 every day in New York: 14:00 UTC before the spring change, 13:00 UTC after it.
        var schedule = CronSchedule.Parse("0 0 9 * * *");
        var saturday = schedule.Next(DateTimeOffset.Parse("2026-03-07T12:00:00Z", null), NewYork);
        var sunday = schedule.Next(saturday, NewYork);
        Assert.Equal(DateTimeOffset.Parse("2026-03-07T14:00:00Z", null), saturday);
        Assert.Equal(TimeSpan.FromHours(-5), saturday.Offset);
        Assert.Equal(DateTimeOffset.Parse("2026-03-08T13:00:00Z", null), sunday);
        Assert.Equal(TimeSpan.FromHours(-4), sunday.Offset);
        Assert.Equal(new DateTime(2026, 3, 8, 9, 0, 0), sunday.DateTime);
    }

    [Fact]
    public void A_time_in_the_spring_gap_fires_once_at_the_end_of_the_gap()
    {
        // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist that day.
        var daily = CronSchedule.Parse("0 30 2 * * *");
        var gapDay = daily.Next(DateTimeOffset.Parse("2026-03-28T03:00:00Z", null), Berlin);
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z", null), gapDay);
        Assert.Equal(new DateTime(2026, 3, 29, 3, 0, 0), gapDay.DateTime);
        Assert.Equal(DateTimeOffset.Parse("2026-03-30T00:30:00Z", null), daily.Next(gapDay, Berlin));

        // Every 15 minutes: 02:00, 02:15, 02:30 and 02:45 do not exist; 03:00 follows 01:45, then 03:15.
        var quarter = CronSchedule.Parse("0 */15 * * * *");
        var atJump = quarter.Next(DateTimeOffset.Parse("2026-03-29T00:45:00Z", null), Berlin); // after 01:45 CET
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:00:00Z", null), atJump);
        Assert.Equal(DateTimeOffset.Parse("2026-03-29T01:15:00Z", null), quarter.Next(atJump, Berlin));
    }

    [Fact]
    public void In_the_repeated_autumn_hour_a_fixed_time_fires_once_and_an_interval_fires_in_both()
    {
        // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:00-02:59 happen twice.
        var daily = CronSchedule.Parse("0 30 2 * * *");
        var first = daily.Next(DateTimeOffset.Parse("2026-10-24T12:00:00Z", null), Berlin);
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T00:30:00Z", null), first); // 02:30 CEST
        Assert.Equal(TimeSpan.FromHours(2), first.Offset);
        Assert.Equal(DateTimeOffset.Parse("2026-10-26T01:30:00Z", null), daily.Next(first, Berlin)); // not 02:30 CET again

        // Hourly is an interval: 02:00 CEST, 02:00 CET, 03:00 CET.
        var hourly = CronSchedule.Parse("0 0 * * * *");
        var summer = hourly.Next(DateTimeOffset.Parse("2026-10-24T23:30:00Z", null), Berlin);
        var winter = hourly.Next(summer, Berlin);
        Assert.Equal((DateTimeOffset.Parse("2026-10-25T00:00:00Z", null), TimeSpan.FromHours(2)), (summer, summer.Offset));
        Assert.Equal((DateTimeOffset.Parse("2026-10-25T01:00:00Z", null), TimeSpan.FromHours(1)), (winter, winter.Offset));
        Assert.Equal(summer.DateTime, winter.DateTime); // the same wall time, twice
        Assert.Equal(DateTimeOffset.Parse("2026-10-25T02:00:00Z", null), hourly.Next(winter, Berlin));

        // New York, 2026-11-01: 01:30 EDT and 01:30 EST; the daily run is at the first.
        var ny = CronSchedule.Parse("0 30 1 * * *");
        Assert.Equal(DateTimeOffset.Parse("2026-11-01T05:30:00Z", null), ny.Next(DateTimeOffset.Parse("2026-10-31T12:00:00Z", null), NewYork));
        Assert.Equal(DateTimeOffset.Parse("2026-11-02T06:30:00Z", null), ny.Next(DateTimeOffset.Parse("2026-11-01T05:30:00Z", null), NewYork));
    }

    [Fact]
    public void A_schedule_that_fires_once_in_decades_finds_each_occurrence_in_order()
    {
        var rare = CronSchedule.Parse("0 0 0 29 Feb Mon");
        var at = DateTimeOffset.Parse("2026-01-01T00:00:00Z", null);
        var seen = new List<DateTimeOffset>();
        for (var i = 0; i < 20; i++)
        {
            at = rare.Next(at, TimeZoneInfo.Utc);
            seen.Add(at);
        }
        // Monday 29 February: 2044, 2072, 2112, ... (every 28 years, skipping 2100, not a leap year).
        Assert.All(seen, o => Assert.Equal((DayOfWeek.Monday, 2, 29), (o.DayOfWeek, o.Month, o.Day)));
        Assert.Equal(2044, seen[0].Year);
        Assert.Equal(seen.OrderBy(o => o), seen);
        Assert.Equal(20, seen.Distinct().Count());
    }
}
