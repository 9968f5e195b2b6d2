using System.Text.Json;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Hosting;

namespace MetaRec.Functions.Standalone;

/// <summary>
/// The routes a standalone app serves itself (in Azure the host owns them): the HTTP functions
/// under <c>/api</c>, and <c>POST /api/events</c>, which puts messages on the app's own queue
/// the way a producer would put them on the Service Bus topic.
/// </summary>
public static class StandaloneEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/score", async (HttpRequest request, ScoringFunctions functions, CancellationToken cancellation) =>
        {
            using var reader = new StreamReader(request.Body);
            return (await functions.ScoreAsync(await reader.ReadToEndAsync(cancellation), cancellation)).ToResult();
        });
        app.MapGet("/api/users/{userId}/recommendations", async (string userId, HttpRequest request, ScoringFunctions functions, CancellationToken cancellation) =>
            (await functions.RecommendAsync(userId, request.Query["k"].FirstOrDefault(), request.Query["excludeSeen"].FirstOrDefault(), cancellation)).ToResult());
        app.MapGet("/api/health", (HealthFunctions functions) => functions.Health().ToResult());
        app.MapGet("/api/ready", (HealthFunctions functions) => functions.Ready().ToResult());
        app.MapPost("/api/events", EnqueueAsync);
        app.MapPost("/api/training-runs", async (HttpRequest request, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
        {
            using var reader = new StreamReader(request.Body);
            return (await functions.StartAsync(await reader.ReadToEndAsync(cancellation), cancellation)).ToResult();
        });
        app.MapGet("/api/training-runs/{runId}", async (string runId, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            (await functions.GetAsync(runId, cancellation)).ToResult());
        app.MapPost("/api/training-runs/{runId}/cancel", async (string runId, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            (await functions.CancelAsync(runId, cancellation)).ToResult());
    }

    /// <summary>
    /// A JSON array becomes one message per element; anything else is one message. Messages are
    /// not validated here: the Interactions function does that, as it would for a topic.
    /// </summary>
    private static async Task<IResult> EnqueueAsync(HttpRequest request, IMessageQueue queue, CancellationToken cancellation)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellation);
        if (string.IsNullOrWhiteSpace(body))
        {
            return FunctionResponse.Problem(400, "Bad request", "the body must hold an event or a JSON array of events").ToResult();
        }
        var messages = Payloads.TryParse(body, out var parsed) && parsed.ValueKind == JsonValueKind.Array
            ? [.. parsed.EnumerateArray().Select(e => e.GetRawText())]
            : new[] { body };
        if (messages.Length == 0)
        {
            return FunctionResponse.Problem(400, "Bad request", "an empty array holds no events").ToResult();
        }
        await queue.SendAsync(messages, cancellation);
        return Results.Json(new { accepted = messages.Length }, FunctionResponse.Json, statusCode: 202);
    }
}

/// <summary>Standalone: every <c>/api</c> route except health and readiness needs the configured key header; 401 otherwise. Keys are never logged.</summary>
public sealed partial class ApiKeyMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<FunctionAppOptions> options, ILogger<ApiKeyMiddleware> log)
{
    private readonly byte[] _key = System.Text.Encoding.UTF8.GetBytes(options.Value.Auth.ApiKey);
    private readonly string _header = options.Value.Auth.Header;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        if (_key.Length == 0 || !path.StartsWithSegments("/api") || path.StartsWithSegments("/api/health") || path.StartsWithSegments("/api/ready"))
        {
            return next(context);
        }
        var given = System.Text.Encoding.UTF8.GetBytes(context.Request.Headers[_header].FirstOrDefault() ?? string.Empty);
        if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, _key))
        {
            return next(context);
        }
        LogUnauthorized(log, path, _header);
        return FunctionResponse.Problem(401, "Unauthorized", $"send the API key in the '{_header}' header").ToResult().ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "401 for {Path}: missing or wrong '{Header}' header")]
    private static partial void LogUnauthorized(ILogger logger, PathString path, string header);
}
