using MetaRec.Functions.Timers;
using Microsoft.Extensions.Configuration;

namespace MetaRec.Functions.Tests;

/// <summary>Timer settings: a function's schedule binds from its own section, and every bad schedule or zone is named.</summary>
public sealed class TimerSettingsTests
{
    [Fact]
    public void A_functions_options_bind_from_its_section_over_the_default_schedule()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MetaRec:Nightly:Schedule"] = "0 30 4 * * Sun",
            ["MetaRec:Nightly:RunOnStartup"] = "true",
        }).Build();

        var bound = configuration.GetSection("MetaRec").Get<AppSettings>()!;

        Assert.Equal("0 30 4 * * Sun", bound.Nightly.Schedule);
        Assert.True(bound.Nightly.RunOnStartup);
        Assert.Equal("0 0 * * * *", bound.Hourly.Schedule); // the default stays where nothing is set
        Assert.False(bound.Hourly.RunOnStartup);
    }

    [Fact]
    public void Every_timer_functions_schedule_is_validated_naming_its_setting()
    {
        var settings = new AppSettings();
        TimerFunctionOptions.ValidateEach(settings, "MetaRec");

        settings.Hourly.Schedule = "0 0 25 * * *";
        var error = Assert.Throws<ArgumentException>(() => TimerFunctionOptions.ValidateEach(settings, "MetaRec"));

        Assert.StartsWith("MetaRec:Hourly:Schedule: '0 0 25 * * *' is not a valid NCRONTAB schedule", error.Message, StringComparison.Ordinal);
        Assert.Contains("Hours: Value must be a number between 0 and 23", error.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public void The_app_options_validate_the_time_zone_naming_the_setting_it_came_from()
    {
        var explicitZone = new FunctionAppOptions { Timers = { TimeZone = "Mars/Olympus_Mons" } };
        Assert.StartsWith("MetaRec:Timers:TimeZone 'Mars/Olympus_Mons' is not a time zone", Assert.Throws<ArgumentException>(explicitZone.Validate).Message, StringComparison.Ordinal);

        var hostZone = new FunctionAppOptions { Timers = { HostTimeZone = "Mars/Olympus_Mons" } };
        Assert.StartsWith("WEBSITE_TIME_ZONE 'Mars/Olympus_Mons' is not a time zone", Assert.Throws<ArgumentException>(hostZone.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_zone_is_the_setting_else_WEBSITE_TIME_ZONE_else_UTC()
    {
        Assert.Equal(TimeZoneInfo.Utc, new TimerOptions().Zone());
        Assert.Equal("America/New_York", new TimerOptions { HostTimeZone = "America/New_York" }.Zone().Id);
        Assert.Equal("Europe/Berlin", new TimerOptions { TimeZone = "Europe/Berlin", HostTimeZone = "America/New_York" }.Zone().Id);
    }

    private sealed class NightlyOptions() : TimerFunctionOptions("0 0 3 * * *");

    private sealed class AppSettings
    {
        public NightlyOptions Nightly { get; set; } = new();

        public TimerFunctionOptions Hourly { get; set; } = new("0 0 * * * *");

        public string Family { get; set; } = "limaml";
    }
}
