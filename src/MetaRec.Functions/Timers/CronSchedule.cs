using System.Text.RegularExpressions;
using Cronos;

namespace MetaRec.Functions.Timers;

/// <summary>
/// A schedule in the Azure Functions timer trigger's NCRONTAB format, parsed and evaluated by
/// Cronos: six fields <c>{second} {minute} {hour} {day} {month} {day-of-week}</c>, each
/// <c>*</c>, a value, a list <c>a,b</c>, a range <c>a-b</c>, or a step <c>*/n</c>,
/// <c>a-b/n</c>, <c>a/n</c>; months <c>Jan</c>–<c>Dec</c> and days <c>Sun</c>–<c>Sat</c> by
/// their three-letter names (any case); day-of-week 0–6 with 0 = Sunday (Cronos also reads 7).
/// </summary>
/// <remarks>
/// <para>
/// The same setting has to work under the Functions host, so what NCrontab (the host's parser)
/// refuses is refused here too, although Cronos would read it: <c>?</c>, <c>L</c>, <c>W</c>,
/// <c>#</c>, and ranges that run backwards (Cronos wraps them round midnight).
/// </para>
/// <para>
/// Day and day-of-week both have to match: <c>0 0 0 13 * Fri</c> is every Friday the 13th.
/// </para>
/// <para>
/// Occurrences are wall-clock times in a time zone (Cronos' rules). An occurrence in the
/// spring-forward gap fires once, at the end of the gap. In the repeated autumn hour a
/// schedule with fixed second, minute and hour fires once, at the first of the two times;
/// one with <c>*</c> or a step in those fields (hourly, every 15 minutes) fires in both.
/// </para>
/// </remarks>
public sealed partial class CronSchedule
{
    private const string Fields = "{second} {minute} {hour} {day} {month} {day-of-week}";
    private const string CronosPrefix = "The given cron expression has an invalid format. ";
    private static readonly string[] FieldNames = ["second", "minute", "hour", "day", "month", "day-of-week"];

    /// <summary>Any instant does: a schedule that can fire has an occurrence after it (Cronos searches to year 2499).</summary>
    private static readonly DateTimeOffset Origin = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CronExpression _cron;

    private CronSchedule(string expression, CronExpression cron)
    {
        Expression = expression;
        _cron = cron;
    }

    /// <summary>The expression as given (trimmed).</summary>
    public string Expression { get; }

    /// <exception cref="FormatException">
    /// Saying what is wrong: the field count (a five-field classic cron expression is answered
    /// with its six-field form), the field and value Cronos refused, a construct NCrontab does
    /// not read, or a schedule that never fires.
    /// </exception>
    public static CronSchedule Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException($"the schedule is empty; write six fields {Fields}, e.g. '0 0 3 * * *'");
        }
        var trimmed = text.Trim();
        if (trimmed.Length > 2 && trimmed[0] == '%' && trimmed[^1] == '%')
        {
            throw new FormatException($"'{trimmed}' is an app-setting reference, which only a [TimerTrigger] attribute resolves; put the schedule itself here, e.g. '0 0 3 * * *'");
        }
        var parts = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 5)
        {
            throw new FormatException($"'{trimmed}' has 5 fields, but an NCRONTAB schedule starts with a seconds field: {Fields} (did you mean '0 {string.Join(' ', parts)}'?)");
        }
        if (parts.Length == 1 && trimmed.Contains(':', StringComparison.Ordinal))
        {
            throw new FormatException($"'{trimmed}' looks like a TimeSpan; only NCRONTAB schedules are supported, e.g. '0 */5 * * * *' for every five minutes");
        }
        if (parts.Length != 6)
        {
            throw new FormatException($"'{trimmed}' has {parts.Length} fields; an NCRONTAB schedule has 6: {Fields}");
        }
        for (var i = 0; i < parts.Length; i++)
        {
            CheckPortable(parts[i], i);
        }
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(trimmed, CronFormat.IncludeSeconds);
        }
        catch (CronFormatException e)
        {
            var detail = e.Message.StartsWith(CronosPrefix, StringComparison.Ordinal) ? e.Message[CronosPrefix.Length..] : e.Message;
            throw new FormatException($"'{trimmed}' is not a valid NCRONTAB schedule ({Fields}): {detail}", e);
        }
        if (cron.GetNextOccurrence(Origin, TimeZoneInfo.Utc) is null)
        {
            throw new FormatException($"'{trimmed}' never fires: its day field '{parts[3]}' never falls in its month field '{parts[4]}'");
        }
        return new CronSchedule(trimmed, cron);
    }

    /// <summary>
    /// The first occurrence strictly after <paramref name="after"/>, reading the schedule in
    /// <paramref name="zone"/>'s local time; the result carries that zone's offset.
    /// </summary>
    public DateTimeOffset Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return _cron.GetNextOccurrence(after, zone, inclusive: false)
            ?? throw new InvalidOperationException($"'{Expression}' has no occurrence after {after:o}");
    }

    public override string ToString() => Expression;

    /// <summary>Refuses what Cronos reads but the host's NCrontab does not, so one setting serves both.</summary>
    private static void CheckPortable(string field, int index)
    {
        var name = FieldNames[index];
        if (OutsideNcrontab().Match(field) is { Success: true } bad)
        {
            throw new FormatException($"{name} field '{field}': '{bad.Value}' is not NCRONTAB (the Functions host reads *, values, a-b, lists and /steps only)");
        }
        var names = index >= 4; // month and day-of-week take names
        foreach (Match word in Letters().Matches(field))
        {
            if (!names || word.Length != 3)
            {
                throw new FormatException(names
                    ? $"{name} field '{field}': '{word.Value}' is not a three-letter {(index == 4 ? "month (Jan-Dec)" : "day (Sun-Sat)")}"
                    : $"{name} field '{field}': '{word.Value}' is not a number");
            }
        }
        foreach (Match range in NumericRange().Matches(field))
        {
            if (int.Parse(range.Groups[1].ValueSpan, provider: null) > int.Parse(range.Groups[2].ValueSpan, provider: null))
            {
                throw new FormatException($"{name} field '{field}': range '{range.Value}' runs backwards; write the smaller value first");
            }
        }
    }

    [GeneratedRegex("[^0-9A-Za-z*,/-]")]
    private static partial Regex OutsideNcrontab();

    [GeneratedRegex("[A-Za-z]+")]
    private static partial Regex Letters();

    [GeneratedRegex("([0-9]+)-([0-9]+)")]
    private static partial Regex NumericRange();
}
