using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace MetaRec.Functions.Http;

/// <summary>
/// Standalone: a request that failed because storage could not be reached (after the SDK's own
/// retries; see <see cref="TransientFailure"/>) answers 503 with a ProblemDetails and
/// <c>Retry-After</c>, so the caller sends it again, instead of a 500 that reads as a bug.
/// Nothing of such a request was accepted. A <see cref="BadHttpRequestException"/> is an
/// <see cref="IOException"/> too, but the client's fault: it keeps its own status (400, 413…).
/// Other exceptions fall through to the default handling.
/// </summary>
public sealed partial class StorageUnavailableHandler(IProblemDetailsService problems, ILogger<StorageUnavailableHandler> log) : IExceptionHandler
{
    /// <summary>Seconds a caller is asked to wait.</summary>
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is BadHttpRequestException || !TransientFailure.Is(exception))
        {
            return false;
        }
        LogUnavailable(log, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Storage unavailable",
                Detail = $"storage could not be reached ({exception.GetType().Name}); nothing of this request was accepted; retry after {RetryAfterSeconds} s",
            },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: storage unavailable ({Error}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string error);
}
