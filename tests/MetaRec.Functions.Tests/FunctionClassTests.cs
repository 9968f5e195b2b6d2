using System.Text;
using System.Text.Json;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Standalone;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The <c>[Function]</c> methods called as the Functions host's ASP.NET Core integration calls
/// them: a <see cref="DefaultHttpContext"/> request in, the <see cref="IResult"/> written to a
/// response, with the app's real services. No Functions host runs here.
/// </summary>
public sealed class FunctionClassTests
{
    private static ServiceProvider Services() => new ServiceCollection().AddLogging().AddSingleton(NullLoggerFactory.Instance).BuildServiceProvider();

    private static HttpRequest Post(string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context.Request;
    }

    private static async Task<(int Status, JsonElement Body)> WriteAsync(IResult result, IServiceProvider services)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        using var document = JsonDocument.Parse(body.ToArray());
        return (context.Response.StatusCode, document.RootElement.Clone());
    }

    private static async Task<IReadOnlyList<Delivery>> DrainAsync(ChannelMessageQueue queue)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        try
        {
            return await queue.ReceiveAsync(100, wait.Token);
        }
        catch (OperationCanceledException)
        {
            return [];
        }
    }

    [Theory]
    [InlineData("{not json", null, null)]
    [InlineData("""[{"userId":"x"}]""", 0, "eventId")]
    [InlineData("""[{"eventId":"a","userId":"u","itemId":"1","rating":5,"timestamp":1700000000},{"eventId":"b","userId":"u","itemId":"2","rating":"five","timestamp":1700000000}]""", 1, "rating")]
    [InlineData("[]", null, null)]
    [InlineData("", null, null)]
    public async Task Events_refuses_a_bad_body_with_400_naming_the_item_and_field_and_queues_nothing(string body, int? index, string? field)
    {
        var queue = new ChannelMessageQueue();
        using var services = Services();

        var (status, problem) = await WriteAsync(await new EventsFunction(queue).Events(Post(body), CancellationToken.None), services);

        Assert.Equal(400, status);
        Assert.Equal("Bad request", problem.GetProperty("title").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(index, problem.GetProperty("index").ValueKind == JsonValueKind.Null ? null : problem.GetProperty("index").GetInt32());
        Assert.Empty(await DrainAsync(queue));
    }

    [Fact]
    public async Task Events_accepts_a_good_batch_with_202_as_one_message_per_event()
    {
        var queue = new ChannelMessageQueue();
        using var services = Services();
        const string Body = """[{"eventId":"a","userId":"u","itemId":"1","rating":5,"timestamp":1700000000},{"specversion":"1.0","type":"com.metarec.interaction","source":"/app","id":"b","time":"2023-11-14T22:13:20Z","data":{"userId":"u","itemId":"2","rating":1}}]""";

        var (status, accepted) = await WriteAsync(await new EventsFunction(queue).Events(Post(Body), CancellationToken.None), services);

        Assert.Equal(202, status);
        Assert.Equal(2, accepted.GetProperty("accepted").GetInt32());
        var queued = await DrainAsync(queue);
        Assert.Equal(2, queued.Count);
        Assert.Contains("\"eventId\":\"a\"", queued[0].Body, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"b\"", queued[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_answers_alive_and_ready_answers_503_naming_the_family_until_a_model_is_loaded()
    {
        var folder = Directory.CreateTempSubdirectory("metarec-health-");
        try
        {
            await using var app = FunctionAppFactory.Folder(folder.FullName);
            var health = app.Services.GetRequiredService<HealthFunctions>();
            var (alive, status) = await WriteAsync(health.Health(new DefaultHttpContext().Request), app.Services);
            Assert.Equal(200, alive);
            Assert.Equal("alive", status.GetProperty("status").GetString());
            var (ready, problem) = await WriteAsync(health.Ready(new DefaultHttpContext().Request), app.Services);
            Assert.Equal(503, ready);
            Assert.Contains("no active version of family 'limaml'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
