namespace MetaRec.Functions.Timers;

/// <summary>
/// A timer function's settings. A function's options derive from this with their default
/// schedule and live under <see cref="FunctionAppOptions"/>, so they bind from the function's
/// own section (<c>MetaRec:Generation:Schedule</c>, <c>MetaRec:Generation:RunOnStartup</c>)
/// and <see cref="FunctionAppOptions.Validate"/> checks the schedule:
/// <code>public sealed class GenerationOptions() : TimerFunctionOptions("0 0 3 * * *") { … }</code>
/// Under the Functions host these settings are not used: the <c>[TimerTrigger]</c>'s schedule
/// setting (e.g. <c>GenerationSchedule</c>) is.
/// </summary>
public class TimerFunctionOptions(string defaultSchedule)
{
    /// <summary>NCRONTAB <c>{second} {minute} {hour} {day} {month} {day-of-week}</c> in <c>MetaRec:Timers:TimeZone</c> (see <see cref="CronSchedule"/>).</summary>
    public string Schedule { get; set; } = defaultSchedule;

    /// <summary>Standalone: also run once as the app starts (default false; as in Azure, rarely wanted in production).</summary>
    public bool RunOnStartup { get; set; }

    /// <exception cref="FormatException">The schedule is malformed (see <see cref="CronSchedule.Parse"/>).</exception>
    public CronSchedule ParseSchedule() => CronSchedule.Parse(Schedule);

    /// <summary>
    /// Validates every <see cref="TimerFunctionOptions"/> property of <paramref name="settings"/>
    /// (a function's options bind from the section named after the property), so no
    /// function's schedule goes unchecked.
    /// </summary>
    /// <exception cref="ArgumentException">Naming <c>{section}:{Property}:Schedule</c>.</exception>
    public static void ValidateEach(object settings, string section)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var property in settings.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0 && property.GetValue(settings) is TimerFunctionOptions timer)
            {
                timer.Validate($"{section}:{property.Name}");
            }
        }
    }

    /// <param name="section">The settings section, e.g. <c>MetaRec:Generation</c>, named in the message.</param>
    /// <exception cref="ArgumentException">Naming <c>{section}:Schedule</c> and what is wrong with it.</exception>
    public void Validate(string section)
    {
        try
        {
            ParseSchedule();
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{section}:Schedule: {e.Message}", nameof(Schedule), e);
        }
    }
}
