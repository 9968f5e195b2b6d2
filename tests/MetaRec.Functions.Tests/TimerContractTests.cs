using System.Net;
using System.Text;
using System.Text.Json;
using MetaRec.Functions.Timers;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The custom-handler endpoint of a timer function fed the host's timer payload: the function
/// runs with the host's schedule status and its log lines come back; a failed or throwing run
/// answers 500 with the reason; a malformed payload answers 400 and nothing runs.
/// </summary>
public sealed class TimerContractTests : IDisposable
{
    private readonly TempFolder _temp = new("metarec-timer-contract-");

    private string Folder => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_hosts_payload_runs_the_function_and_answers_200_with_its_logs()
    {
        var nightly = Function((n, _) => Task.FromResult(TimerOutcome.Success($"run {n}", "generated nothing: test")));
        await using var app = App(nightly);
        using var client = app.CreateClient();

        var (status, result) = await InvokeAsync(client, "/Nightly", TimerInfoTests.HostInvocation);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["run 1", "generated nothing: test"], result.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()));
        Assert.Empty(result.GetProperty("Outputs").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("ReturnValue").ValueKind);
        var run = Assert.Single(nightly.Runs);
        Assert.False(run.Timer.IsPastDue);
        Assert.Equal(DateTimeOffset.Parse("2026-11-23T03:00:00+00:00", null), run.Timer.ScheduleStatus!.Next);
        Assert.Equal(DateTimeOffset.Parse("2026-11-22T03:00:00.0028453+00:00", null), run.Timer.ScheduleStatus.Last);
    }

    [Fact]
    public async Task A_first_run_as_json_text_without_status_and_past_due_is_read()
    {
        var nightly = Function();
        await using var app = App(nightly);
        using var client = app.CreateClient();
        var timer = JsonSerializer.Serialize("""{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":true}""");

        var (status, _) = await InvokeAsync(client, "/Nightly", """{"Data":{"timer":""" + timer + """},"Metadata":{"sys":{"MethodName":"Nightly"}}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(new TimerInfo(null, IsPastDue: true), Assert.Single(nightly.Runs).Timer);
    }

    [Fact]
    public async Task A_failed_run_answers_500_with_the_reason_in_the_logs_and_return_value()
    {
        var nightly = Function((_, _) => Task.FromResult(TimerOutcome.Failed("no interactions logged yet", "read 0 interactions")));
        await using var app = App(nightly);
        using var client = app.CreateClient();

        var (status, result) = await InvokeAsync(client, "/Nightly", TimerInfoTests.HostInvocation);

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("no interactions logged yet", result.GetProperty("ReturnValue").GetString());
        Assert.Equal(["read 0 interactions", "Nightly failed: no interactions logged yet"], result.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task A_throwing_run_answers_500_naming_the_exception()
    {
        var nightly = Function((_, _) => throw new InvalidOperationException("registry unreachable"));
        await using var app = App(nightly);
        using var client = app.CreateClient();

        var (status, result) = await InvokeAsync(client, "/Nightly", TimerInfoTests.HostInvocation);

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("InvalidOperationException: registry unreachable", result.GetProperty("ReturnValue").GetString());
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{}}""", "the invocation has no Data.timer")]
    [InlineData("""{"Data":{"timer":{"IsPastDue":"maybe"}},"Metadata":{}}""", "Data.timer.IsPastDue must be true or false, not \"maybe\"")]
    [InlineData("""{"Data":{"timer":{"ScheduleStatus":{"Last":"2026-11-22T03:00:00Z","Next":"tomorrow","LastUpdated":"2026-11-22T03:00:00Z"}}}}""", "Data.timer.ScheduleStatus.Next must be an ISO 8601 time")]
    public async Task A_bad_payload_answers_400_naming_the_problem_and_nothing_runs(string invocation, string message)
    {
        var nightly = Function();
        await using var app = App(nightly);
        using var client = app.CreateClient();

        var (status, result) = await InvokeAsync(client, "/Nightly", invocation);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(message, Assert.Single(result.GetProperty("Logs").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.Empty(nightly.Runs);
    }

    [Fact]
    public async Task Each_registered_timer_function_gets_its_own_route()
    {
        var nightly = Function();
        var hourly = new RecordingTimerFunction("Hourly", new TimerFunctionOptions("0 0 * * * *"), TimeProvider.System);
        await using var app = App(nightly, hourly);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await InvokeAsync(client, "/Hourly", TimerInfoTests.HostInvocation)).Status);

        Assert.Single(hourly.Runs);
        Assert.Empty(nightly.Runs);
    }

    private static RecordingTimerFunction Function(Func<int, CancellationToken, Task<TimerOutcome>>? behaviour = null) =>
        new("Nightly", new TimerFunctionOptions("0 0 3 * * *"), TimeProvider.System, behaviour);

    /// <summary>The app with the functions registered and its own timer trigger off: only the host's invocations run them.</summary>
    private FunctionAppFactory App(params ITimerFunction[] functions) =>
        FunctionAppFactory.Folder(Folder, new Dictionary<string, string> { ["MetaRec:Timers:Enabled"] = "false" }, services =>
        {
            foreach (var function in functions)
            {
                services.AddSingleton(function);
            }
        });

    private static async Task<(HttpStatusCode Status, JsonElement Result)> InvokeAsync(HttpClient client, string route, string invocation)
    {
        using var content = new StringContent(invocation, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(route, content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }
}
