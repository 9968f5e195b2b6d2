using System.Net;
using MetaRec.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MetaRec.Functions.Tests.Reliability;

/// <summary>
/// Standalone: every route the app maps, read from its own endpoint table so that a route added
/// later is covered without editing this test, answers 401 without the key and with a wrong one,
/// except health and readiness. (Under the Functions host the same functions carry
/// <c>authLevel: function</c>: <c>FunctionMetadataTests</c>.)
/// </summary>
public sealed class KeyOnEveryRouteTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Open = ["/api/health", "/api/ready"];
    private readonly TempFolder _temp = new("metarec-keys-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Every_route_but_health_and_readiness_refuses_a_missing_or_wrong_key()
    {
        await using var app = FunctionAppFactory.Folder(_temp.Path);
        using var anonymous = app.CreateClient();
        using var wrong = app.CreateClient();
        wrong.DefaultRequestHeaders.Add("x-api-key", "not-the-key");
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: "/" + Fill(e.RoutePattern.RawText ?? ""))))
            .Distinct().ToList();

        var guarded = routes.Where(r => !Open.Contains(r.Path)).ToList();
        foreach (var (method, path) in guarded)
        {
            foreach (var client in new[] { anonymous, wrong })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : new StringContent("{}") };
                Assert.True((await client.SendAsync(request)).StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered without a valid key");
            }
        }
        foreach (var path in Open)
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        }
        output.WriteLine($"{guarded.Count} guarded routes refused a missing and a wrong key: {string.Join(", ", guarded.Select(r => $"{r.Method} {r.Path}"))}; open: {string.Join(", ", Open)}");
        Assert.True(guarded.Count >= 7, $"only {guarded.Count} routes found: the endpoint table was not read");
    }

    private static string Fill(string pattern) => System.Text.RegularExpressions.Regex.Replace(pattern.TrimStart('/'), "{[^}]+}", "x");
}
