using System.Globalization;
using System.Text.Json;
using MetaRec.Functions.Serving;
using Microsoft.Azure.Functions.Worker;

namespace MetaRec.Functions.Functions;

/// <summary>The body of <c>POST /api/score</c>.</summary>
public sealed record ScoreRequest(string? UserId, IReadOnlyList<string>? ItemIds);

/// <summary>
/// <c>Score</c> (<c>POST /api/score</c>) and <c>Recommend</c>
/// (<c>GET /api/users/{userId}/recommendations?k=10&amp;excludeSeen=true</c>): HTTP functions
/// of the Functions host, and the same methods behind the standalone host's routes.
/// </summary>
public sealed class ScoringFunctions(Scorer scorer)
{
    public async Task<FunctionResponse> ScoreAsync(string? body, CancellationToken cancellation)
    {
        ScoreRequest? request;
        try
        {
            request = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize<ScoreRequest>(body, FunctionResponse.Json);
        }
        catch (JsonException e)
        {
            return FunctionResponse.Problem(400, "Bad request", $"the body is not a score request {{\"userId\": \"…\", \"itemIds\": [\"…\"]}}: {e.Message}");
        }
        if (request is null)
        {
            return FunctionResponse.Problem(400, "Bad request", "the body must be {\"userId\": \"…\", \"itemIds\": [\"…\"]}");
        }
        return await Guard(() => scorer.ScoreAsync(request.UserId, request.ItemIds, cancellation)).ConfigureAwait(false);
    }

    public async Task<FunctionResponse> RecommendAsync(string? userId, string? k, string? excludeSeen, CancellationToken cancellation)
    {
        var count = 10;
        if (k is not null && !int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out count))
        {
            return FunctionResponse.Problem(400, "Bad request", $"k must be a whole number, not '{k}'");
        }
        var exclude = true;
        if (excludeSeen is not null && !bool.TryParse(excludeSeen, out exclude))
        {
            return FunctionResponse.Problem(400, "Bad request", $"excludeSeen must be true or false, not '{excludeSeen}'");
        }
        return await Guard(() => scorer.RecommendAsync(userId, count, exclude, cancellation)).ConfigureAwait(false);
    }

    [Function("Score")]
    public async Task<IResult> Score([HttpTrigger(AuthorizationLevel.Function, "post", Route = "score")] HttpRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var reader = new StreamReader(request.Body);
        return (await ScoreAsync(await reader.ReadToEndAsync(cancellation).ConfigureAwait(false), cancellation).ConfigureAwait(false)).ToResult();
    }

    [Function("Recommend")]
    public async Task<IResult> Recommend([HttpTrigger(AuthorizationLevel.Function, "get", Route = "users/{userId}/recommendations")] HttpRequest request, string userId, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await RecommendAsync(userId, request.Query["k"].FirstOrDefault(), request.Query["excludeSeen"].FirstOrDefault(), cancellation).ConfigureAwait(false)).ToResult();
    }

    private static async Task<FunctionResponse> Guard(Func<Task<ScoringResult>> work)
    {
        try
        {
            return FunctionResponse.Ok(await work().ConfigureAwait(false));
        }
        catch (ScoringException e)
        {
            var extensions = e.UnknownItems is null ? null : new Dictionary<string, object?> { ["unknownItems"] = e.UnknownItems };
            return FunctionResponse.Problem(e.Status, e.Title, e.Message, extensions);
        }
    }
}

/// <summary>Liveness (the process answers) and readiness (the active model is loaded).</summary>
public sealed class HealthFunctions(ActiveModelProvider models)
{
    [Function("Health")]
    public IResult Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) => FunctionResponse.Ok(new { status = "alive" }).ToResult();

    [Function("Ready")]
    public IResult Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "ready")] HttpRequest request) => ReadyResponse().ToResult();

    public FunctionResponse ReadyResponse() => models.IsReady
        ? FunctionResponse.Ok(new { status = "ready", family = models.Family, modelVersion = models.Version })
        : FunctionResponse.Problem(503, "Not ready", $"no active version of family '{models.Family}' is loaded yet");
}
