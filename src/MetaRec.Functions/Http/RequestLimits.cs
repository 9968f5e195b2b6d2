using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using MetaRec.Functions.Functions;
using Microsoft.AspNetCore.Http.Features;

namespace MetaRec.Functions.Http;

/// <summary>Request size and rate limits on the <c>/api</c> routes (section <c>MetaRec:Limits</c>).</summary>
public sealed class LimitOptions
{
    /// <summary>Largest request body, in bytes (1 MiB). A bigger one gets 413.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>Requests per second each client (remote address) may make; 0 turns the rate limit off. Default 1000.</summary>
    public int RequestsPerSecond { get; set; } = 1000;

    /// <summary>Requests a client may make at once above its rate (the bucket's size). Default 2000.</summary>
    public int Burst { get; set; } = 2000;

    public void Validate()
    {
        if (MaxRequestBytes < 1024)
        {
            throw new ArgumentException($"MetaRec:Limits:MaxRequestBytes must be at least 1024, not {MaxRequestBytes}", nameof(MaxRequestBytes));
        }
        if (RequestsPerSecond < 0)
        {
            throw new ArgumentException($"MetaRec:Limits:RequestsPerSecond must be 0 (off) or more, not {RequestsPerSecond}", nameof(RequestsPerSecond));
        }
        if (RequestsPerSecond > 0 && Burst < 1)
        {
            throw new ArgumentException($"MetaRec:Limits:Burst must be at least 1, not {Burst}", nameof(Burst));
        }
    }
}

/// <summary>
/// The limits both hosts apply before a function runs, through their own middleware (standalone:
/// ASP.NET Core's pipeline; Functions host: the worker's). Health and readiness are exempt. A
/// body over <see cref="LimitOptions.MaxRequestBytes"/> gets 413 (by its Content-Length, or,
/// for a body sent without one, when the function reads past the limit); a client over its rate
/// gets 429 with Retry-After. Both answers are ProblemDetails. Clients are told apart by remote
/// address; one bucket per address, dropped by the limiter once idle.
/// </summary>
public sealed partial class RequestLimits : IDisposable
{
    private readonly LimitOptions _options;
    private readonly PartitionedRateLimiter<HttpContext>? _rate;
    private readonly ILogger<RequestLimits> _log;

    public RequestLimits(LimitOptions options, ILogger<RequestLimits> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _log = log;
        if (options.RequestsPerSecond > 0)
        {
            // Refilled ten times a second where the rate divides by ten, so it is smooth rather than a burst each second.
            var tenths = options.RequestsPerSecond % 10 == 0;
            var perPeriod = tenths ? options.RequestsPerSecond / 10 : options.RequestsPerSecond;
            var period = TimeSpan.FromMilliseconds(tenths ? 100 : 1000);
            _rate = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(
                ClientOf(context),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = perPeriod,
                    ReplenishmentPeriod = period,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    /// <summary>
    /// Admits the request or writes its 413 or 429. On admission the body is capped at the
    /// limit where the server allows it, so an unannounced long body fails as it is read.
    /// </summary>
    public async Task<bool> AdmitAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        if (!GuardedPaths.Contains(path))
        {
            return true;
        }
        if (_rate is not null)
        {
            using var lease = _rate.AttemptAcquire(context);
            if (!lease.IsAcquired)
            {
                var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                LogThrottled(_log, path);
                var response = FunctionResponse.Problem(429, "Too many requests",
                    $"more than {_options.RequestsPerSecond} requests per second from this client; retry after {retry} s")
                    with { Headers = new Dictionary<string, string> { ["Retry-After"] = retry.ToString(CultureInfo.InvariantCulture) } };
                await response.ToResult().ExecuteAsync(context).ConfigureAwait(false);
                return false;
            }
        }
        if (context.Request.ContentLength > _options.MaxRequestBytes)
        {
            await TooLarge(context).ConfigureAwait(false);
            return false;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = _options.MaxRequestBytes;
        }
        return true;
    }

    /// <summary>Writes the 413 for a body that went over the limit as it was read; false when the exception is not that or the response has started.</summary>
    public async Task<bool> TryAnswerAsync(HttpContext context, Exception error)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (error is not BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } || context.Response.HasStarted)
        {
            return false;
        }
        await TooLarge(context).ConfigureAwait(false);
        return true;
    }

    private Task TooLarge(HttpContext context)
    {
        LogTooLarge(_log, context.Request.Path, _options.MaxRequestBytes);
        return FunctionResponse.Problem(413, "Request too large", $"the body is over {_options.MaxRequestBytes} bytes (MetaRec:Limits:MaxRequestBytes)")
            .ToResult().ExecuteAsync(context);
    }

    private static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : IPAddress.None.ToString();

    public void Dispose() => _rate?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "429 for {Path}: client over its request rate")]
    private static partial void LogThrottled(ILogger logger, PathString path);

    [LoggerMessage(Level = LogLevel.Information, Message = "413 for {Path}: body over {Limit} bytes")]
    private static partial void LogTooLarge(ILogger logger, PathString path, long limit);
}
