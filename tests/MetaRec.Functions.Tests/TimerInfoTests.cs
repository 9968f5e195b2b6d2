using System.Text.Json;
using MetaRec.Functions.Hosting;
using MetaRec.Functions.Timers;

namespace MetaRec.Functions.Tests;

/// <summary>The timer payload as the Functions host sends it to a custom handler, and its variants.</summary>
public sealed class TimerInfoTests
{
    /// <summary>A custom-handler timer invocation as the host posts it (one day after the run it records).</summary>
    public const string HostInvocation = """
        {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-22T03:00:00.0028453+00:00","Next":"2026-11-23T03:00:00+00:00","LastUpdated":"2026-11-22T03:00:00.0028453+00:00"},"IsPastDue":false}},
         "Metadata":{"sys":{"MethodName":"Nightly","UtcNow":"2026-11-23T03:00:00.0041874Z","RandGuid":"6b0f1c0e-54d4-4b8e-9a53-0f2a1d6c7e11"}}}
        """;

    private static readonly ScheduleStatus HostStatus = new(
        DateTimeOffset.Parse("2026-11-22T03:00:00.0028453+00:00", null),
        DateTimeOffset.Parse("2026-11-23T03:00:00+00:00", null),
        DateTimeOffset.Parse("2026-11-22T03:00:00.0028453+00:00", null));

    [Fact]
    public void The_hosts_payload_gives_the_schedule_status_and_past_due_flag()
    {
        var timer = TimerInfo.From(Invocation(HostInvocation), "timer");
        Assert.Equal(new TimerInfo(HostStatus, IsPastDue: false), timer);
        Assert.Equal(28_453, timer.ScheduleStatus!.Last.Ticks % TimeSpan.TicksPerSecond); // 0.0028453 s, kept to the tick
    }

    [Fact]
    public void The_same_object_sent_as_json_text_reads_the_same()
    {
        using var host = JsonDocument.Parse(HostInvocation);
        var text = host.RootElement.GetProperty("Data").GetProperty("timer").GetRawText();
        var timer = TimerInfo.From(Invocation($$$"""{"Data":{"timer":{{{JsonSerializer.Serialize(text)}}}},"Metadata":{}}"""), "timer");
        Assert.Equal(new TimerInfo(HostStatus, IsPastDue: false), timer);
    }

    [Theory]
    [InlineData("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""")] // first run, or useMonitor false
    [InlineData("""{"Schedule":{"AdjustForDST":true},"IsPastDue":false}""")]
    [InlineData("""{}""")]
    public void Without_a_schedule_status_the_status_is_null(string payload)
    {
        Assert.Equal(new TimerInfo(null, IsPastDue: false), TimerInfo.Parse(JsonDocument.Parse(payload).RootElement));
    }

    [Fact]
    public void Other_casings_and_times_without_an_offset_are_read_the_hosts_way()
    {
        var payload = """{"schedule":{"adjustForDST":false},"scheduleStatus":{"last":"0001-01-01T00:00:00","next":"2026-11-23T03:00:00","lastUpdated":"2026-11-22T03:00:00Z"},"isPastDue":true,"unknown":[1,2]}""";
        var timer = TimerInfo.Parse(JsonDocument.Parse(payload).RootElement);
        Assert.True(timer.IsPastDue);
        Assert.Equal(DateTimeOffset.MinValue, timer.ScheduleStatus!.Last);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero), timer.ScheduleStatus.Next);
        Assert.Equal(TimeSpan.Zero, timer.ScheduleStatus.Next.Offset);
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{}}""", "the invocation has no Data.timer")]
    [InlineData("""{"Data":{"timer":null}}""", "the invocation has no Data.timer")]
    [InlineData("""{"Data":{"timer":42}}""", "Data.timer must be a timer object, not 42")]
    [InlineData("""{"Data":{"timer":"not json"}}""", "Data.timer must be a timer object, not \"not json\"")]
    [InlineData("""{"Data":{"timer":{"IsPastDue":"maybe"}}}""", "Data.timer.IsPastDue must be true or false, not \"maybe\"")]
    [InlineData("""{"Data":{"timer":{"ScheduleStatus":[]}}}""", "Data.timer.ScheduleStatus must be an object or null, not []")]
    [InlineData("""{"Data":{"timer":{"ScheduleStatus":{"Last":"2026-11-22T03:00:00Z","LastUpdated":"2026-11-22T03:00:00Z"}}}}""", "Data.timer.ScheduleStatus.Next is missing")]
    [InlineData("""{"Data":{"timer":{"ScheduleStatus":{"Last":"2026-11-22T03:00:00Z","Next":"tomorrow","LastUpdated":"2026-11-22T03:00:00Z"}}}}""", "Data.timer.ScheduleStatus.Next must be an ISO 8601 time, not \"tomorrow\"")]
    public void A_bad_payload_is_refused_naming_the_part(string invocation, string message)
    {
        var error = Assert.Throws<FormatException>(() => TimerInfo.From(Invocation(invocation), "timer"));
        Assert.Equal(message, error.Message);
    }

    private static InvocationRequest Invocation(string json) => JsonSerializer.Deserialize<InvocationRequest>(json)!;
}
