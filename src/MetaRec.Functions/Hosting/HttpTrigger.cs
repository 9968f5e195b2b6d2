using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace MetaRec.Functions.Hosting;

/// <summary>
/// The HTTP request inside a custom-handler invocation (<c>Data.req</c> when request forwarding
/// is off): method, URL, query, headers, route parameters and the body as text. Query and
/// headers are taken as objects or as JSON text, with string or string-array values.
/// </summary>
public sealed record HttpTriggerRequest(string Method, string Url, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Params, string? Body)
{
    public static HttpTriggerRequest From(InvocationRequest invocation, string binding = "req")
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var req = Payloads.Unwrap(invocation.Binding(binding) ?? throw new FormatException($"the invocation has no Data.{binding} (an HTTP trigger named '{binding}')"));
        if (req.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"Data.{binding} must be an object, not {req.ValueKind}");
        }
        return new HttpTriggerRequest(
            Field(req, "Method") is { } method ? Payloads.AsText(method) : "GET",
            Field(req, "Url") is { } url ? Payloads.AsText(url) : string.Empty,
            Map(Field(req, "Query")),
            Map(Field(req, "Headers")),
            Map(Field(req, "Params")),
            Field(req, "Body") is { } body && body.ValueKind is not JsonValueKind.Null ? Payloads.AsText(body) : null);
    }

    public string? QueryValue(string name) => Lookup(Query, name);

    /// <summary>A route parameter (<c>{runId}</c> of the function's route).</summary>
    public string? Param(string name) => Lookup(Params, name);

    public string? Header(string name) => Lookup(Headers, name);

    private static string? Lookup(IReadOnlyDictionary<string, string> map, string name) =>
        map.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static JsonElement? Field(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }

    private static Dictionary<string, string> Map(JsonElement? value)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (value is not { } given)
        {
            return map;
        }
        var element = Payloads.Unwrap(given);
        if (element.ValueKind != JsonValueKind.Object)
        {
            return map;
        }
        foreach (var property in element.EnumerateObject())
        {
            map[property.Name] = property.Value.ValueKind == JsonValueKind.Array
                ? string.Join(",", property.Value.EnumerateArray().Select(Payloads.AsText))
                : Payloads.AsText(property.Value);
        }
        return map;
    }
}

/// <summary>
/// An HTTP function's answer, written either straight to the response (standalone) or as the
/// <c>res</c> output of a custom-handler invocation.
/// </summary>
public sealed record FunctionResponse(int Status, object Body, string ContentType = "application/json")
{
    /// <summary>Extra response headers (e.g. <c>Location</c> of a 202).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Web defaults; non-ASCII text is written as is (these bodies are JSON, never HTML).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static FunctionResponse Ok(object body) => new(200, body);

    public static FunctionResponse Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }
        return new FunctionResponse(status, problem, "application/problem+json");
    }

    public IResult ToResult() => Headers.Count == 0 ? Results.Json(Body, Json, ContentType, Status) : new WithHeaders(Results.Json(Body, Json, ContentType, Status), Headers);

    /// <summary>The http output binding value: status, headers and the body as JSON text.</summary>
    public Dictionary<string, object?> ToHttpOutput() => new()
    {
        ["statusCode"] = Status,
        ["headers"] = new Dictionary<string, string>(Headers) { ["Content-Type"] = ContentType },
        ["body"] = JsonSerializer.Serialize(Body, Body.GetType(), Json),
    };
}

/// <summary>A result with extra headers set before it writes.</summary>
internal sealed class WithHeaders(IResult inner, IReadOnlyDictionary<string, string> headers) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        foreach (var (name, value) in headers)
        {
            httpContext.Response.Headers[name] = value;
        }
        return inner.ExecuteAsync(httpContext);
    }
}
