using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace MetaRec.Functions.Http;

/// <summary>Standalone: <see cref="RequestLimits"/> in ASP.NET Core's pipeline.</summary>
public sealed class RequestLimitsMiddleware(RequestDelegate next, RequestLimits limits)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!await limits.AdmitAsync(context).ConfigureAwait(false))
        {
            return;
        }
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            if (!await limits.TryAnswerAsync(context, e).ConfigureAwait(false))
            {
                throw;
            }
        }
    }
}

/// <summary>Functions host: <see cref="RequestLimits"/> in the worker's pipeline, for HTTP-triggered invocations.</summary>
public sealed class RequestLimitsWorkerMiddleware(RequestLimits limits) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.GetHttpContext();
        if (http is not null && !await limits.AdmitAsync(http).ConfigureAwait(false))
        {
            return;
        }
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (http is not null)
        {
            if (!await limits.TryAnswerAsync(http, e).ConfigureAwait(false))
            {
                throw;
            }
        }
    }
}
