using System.Net;
using System.Text.Json;

namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// Azure Resource Manager refused a request: the operation, the HTTP status and ARM's
/// <c>error.code</c> and <c>error.message</c> from the body (the common error response).
/// </summary>
public sealed class ArmRequestException : HttpRequestException
{
    public ArmRequestException(string operation, HttpStatusCode statusCode, string? errorCode, string? errorMessage, TimeSpan? retryAfter = null)
        : base($"aca {operation}: ARM answered {(int)statusCode} {statusCode}" +
               (errorCode is null && errorMessage is null ? string.Empty : $": {errorCode ?? "(no code)"}: {errorMessage ?? "(no message)"}"),
               null, statusCode)
    {
        Operation = operation;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        RetryAfter = retryAfter;
    }

    /// <summary>What the launcher was doing, e.g. "start job metarec-train".</summary>
    public string Operation { get; }

    /// <summary>ARM's <c>error.code</c>, e.g. ResourceNotFound; null when the body had none.</summary>
    public string? ErrorCode { get; }

    /// <summary>ARM's <c>error.message</c>; null when the body had none.</summary>
    public string? ErrorMessage { get; }

    /// <summary>The wait ARM asked for (Retry-After), if any.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>429 or 5xx: the request may succeed when sent again.</summary>
    public bool IsTransient => StatusCode is HttpStatusCode.TooManyRequests || (int?)StatusCode >= 500;

    /// <summary>Reads <c>{"error":{"code":…,"message":…}}</c>; a body that is not that leaves both null (its text becomes the message).</summary>
    internal static ArmRequestException FromBody(string operation, HttpStatusCode statusCode, string body, TimeSpan? retryAfter)
    {
        string? code = null, message = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                    message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                }
            }
            catch (JsonException)
            {
                // not JSON: keep the text below
            }
            message ??= code is null ? Shorten(body) : null;
        }
        return new ArmRequestException(operation, statusCode, code, message, retryAfter);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";
}
