using Azure;

namespace MetaRec.Functions;

/// <summary>
/// Which failures pass by themselves, so the work is retried (a message abandoned, a request
/// answered 503 with <c>Retry-After</c>) instead of being refused as bad: a storage response of
/// 408, 429 or 5xx (or none at all, when storage cannot be reached), a timeout, an I/O or HTTP
/// failure, or an aggregate of only those (what the Azure SDK throws after its retries).
/// </summary>
public static class TransientFailure
{
    public static bool Is(Exception error) => error switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        IOException or TimeoutException or HttpRequestException => true,
        AggregateException all => all.InnerExceptions.Count > 0 && all.InnerExceptions.All(Is),
        _ => false,
    };
}
