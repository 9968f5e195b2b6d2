using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MetaRec.Testing;
using Microsoft.Extensions.Configuration;

namespace MetaRec.Functions.Tests;

/// <summary>Request size and rate limits on the /api routes, over real HTTP where the server's own body limit matters.</summary>
public sealed class RequestLimitsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private FunctionAppFactory App(Dictionary<string, string> limits) => FunctionAppFactory.Folder(_folder.Path, limits);

    [Fact]
    public async Task A_body_announced_over_the_limit_gets_413_with_a_problem_and_queues_nothing()
    {
        using var app = App(new() { ["MetaRec:Limits:MaxRequestBytes"] = "4096" });
        using var client = app.Authorized();
        var events = Enumerable.Range(0, 60).Select(i => new { eventId = $"e{i}", userId = "big", itemId = "1", rating = 5.0, timestamp = 1_700_000_000 + i }).ToArray();

        var refused = await client.PostAsJsonAsync("/api/events", events);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal(413, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("4096 bytes", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The same events in bodies under the limit are taken.
        var accepted = await client.PostAsJsonAsync("/api/events", events[..10]);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task A_body_sent_without_a_length_is_cut_at_the_limit_by_the_server_with_413()
    {
        using var app = App(new() { ["MetaRec:Limits:MaxRequestBytes"] = "4096" });
        app.UseKestrel(0);
        app.StartServer();
        using var client = app.Authorized();
        var body = "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"{{\"eventId\":\"c{i}\",\"userId\":\"chunked\",\"itemId\":\"1\",\"rating\":5,\"timestamp\":{1_700_000_000 + i}}}")) + "]";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var refused = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_client_over_its_rate_gets_429_with_Retry_After_and_health_is_never_limited()
    {
        using var app = App(new() { ["MetaRec:Limits:RequestsPerSecond"] = "1", ["MetaRec:Limits:Burst"] = "3" });
        using var client = app.Authorized();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.PostAsync("/api/events", new StringContent("[]", Encoding.UTF8, "application/json"))).StatusCode);
        }
        // The bucket holds three; at one a second it cannot refill within these five requests.
        Assert.All(statuses[..3], s => Assert.NotEqual(HttpStatusCode.TooManyRequests, s));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses[3..]);

        var throttled = await client.GetAsync("/api/users/u1/recommendations");
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(int.Parse(throttled.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        using var problem = JsonDocument.Parse(await throttled.Content.ReadAsStringAsync());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        }
    }

    [Fact]
    public async Task With_the_rate_limit_off_a_burst_is_never_refused()
    {
        using var app = App(new() { ["MetaRec:Limits:RequestsPerSecond"] = "0" });
        using var client = app.Authorized();
        for (var i = 0; i < 50; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.PostAsync("/api/events", new StringContent("[]", Encoding.UTF8, "application/json"))).StatusCode);
        }
    }

    [Theory]
    [InlineData("MaxRequestBytes", "100", "MetaRec:Limits:MaxRequestBytes must be at least 1024")]
    [InlineData("RequestsPerSecond", "-1", "MetaRec:Limits:RequestsPerSecond must be 0 (off) or more")]
    [InlineData("Burst", "0", "MetaRec:Limits:Burst must be at least 1")]
    public void Bad_limits_are_refused_at_start_naming_the_setting(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"MetaRec:Limits:{key}"] = value }).Build();
        var error = Assert.Throws<ArgumentException>(() => AppServices.ReadSettings(configuration));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
