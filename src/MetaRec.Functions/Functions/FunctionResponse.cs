using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace MetaRec.Functions.Functions;

/// <summary>
/// An HTTP function's answer: a status, a JSON body (a <see cref="ProblemDetails"/> for errors)
/// and extra headers, written through <see cref="ToResult"/> under either host.
/// </summary>
public sealed record FunctionResponse(int Status, object Body, string ContentType = "application/json")
{
    /// <summary>Extra response headers (e.g. <c>Location</c> of a 202).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Web defaults; non-ASCII text is written as is (these bodies are JSON, never HTML).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static FunctionResponse Ok(object body) => new(200, body);

    /// <summary>204: done, no body.</summary>
    public static FunctionResponse NoContent() => new(204, NoBody);

    public IResult ToResult() => ReferenceEquals(Body, NoBody)
        ? WithHeadersIfAny(Results.StatusCode(Status))
        : WithHeadersIfAny(Results.Json(Body, Json, ContentType, Status));

    private static readonly object NoBody = new();

    private IResult WithHeadersIfAny(IResult result) => Headers.Count == 0 ? result : new WithHeaders(result, Headers);

    public static FunctionResponse Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }
        return new FunctionResponse(status, problem, "application/problem+json");
    }

    /// <summary>A result with extra headers set before it writes.</summary>
    private sealed class WithHeaders(IResult inner, IReadOnlyDictionary<string, string> headers) : IResult
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
}
