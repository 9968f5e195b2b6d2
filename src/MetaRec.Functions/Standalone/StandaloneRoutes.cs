using MetaRec.Functions.Functions;
using MetaRec.Functions.Standalone.Durable;
using MetaRec.Functions.Training;

namespace MetaRec.Functions.Standalone;

/// <summary>
/// The routes the standalone host serves, each calling the same function method the Functions
/// host invokes (in Azure the host owns routing and keys): the HTTP functions under <c>/api</c>.
/// The training routes use the Durable Task Framework's client in place of the host's.
/// </summary>
public static class StandaloneRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/score", (HttpRequest request, ScoringFunctions functions, CancellationToken cancellation) => functions.Score(request, cancellation));
        app.MapGet("/api/users/{userId}/recommendations", (string userId, HttpRequest request, ScoringFunctions functions, CancellationToken cancellation) => functions.Recommend(request, userId, cancellation));
        app.MapDelete("/api/users/{userId}", (string userId, HttpRequest request, UsersFunction functions, CancellationToken cancellation) => functions.DeleteUser(request, userId, cancellation));
        app.MapGet("/api/health", (HttpRequest request, HealthFunctions functions) => functions.Health(request));
        app.MapGet("/api/ready", (HttpRequest request, HealthFunctions functions) => functions.Ready(request));
        app.MapPost("/api/events", (HttpRequest request, EventsFunction functions, CancellationToken cancellation) => functions.Events(request, cancellation));
        app.MapPost("/api/training-runs", async (HttpRequest request, TrainingRunApi api, FrameworkTrainingRunClient runs, CancellationToken cancellation) =>
        {
            using var reader = new StreamReader(request.Body);
            return (await api.StartAsync(await reader.ReadToEndAsync(cancellation), runs, null, cancellation)).ToResult();
        });
        app.MapGet("/api/training-runs/{runId}", async (string runId, TrainingRunApi api, FrameworkTrainingRunClient runs, CancellationToken cancellation) =>
            (await api.GetAsync(runId, runs, cancellation)).ToResult());
        app.MapPost("/api/training-runs/{runId}/cancel", async (string runId, TrainingRunApi api, FrameworkTrainingRunClient runs, CancellationToken cancellation) =>
            (await api.CancelAsync(runId, runs, cancellation)).ToResult());
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
        if (_key.Length == 0 || !Http.GuardedPaths.Contains(path))
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
