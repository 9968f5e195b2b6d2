using Azure;
using MetaRec.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaRec.Functions.Tests;

/// <summary>What the standalone exception handler answers 503 for, and what it leaves alone.</summary>
public sealed class StorageUnavailableHandlerTests
{
    private static (StorageUnavailableHandler Handler, HttpContext Context) Arrange()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        return (new StorageUnavailableHandler(services.GetRequiredService<IProblemDetailsService>(), NullLogger<StorageUnavailableHandler>.Instance), context);
    }

    [Fact]
    public async Task Unreachable_storage_is_a_503_with_retry_after()
    {
        var (handler, context) = Arrange();

        Assert.True(await handler.TryHandleAsync(context, new AggregateException(new RequestFailedException("connection refused")), CancellationToken.None));
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_bad_request_is_the_clients_fault_and_keeps_its_status_though_it_is_an_IOException()
    {
        var (handler, context) = Arrange();
        var bad = new BadHttpRequestException("malformed body", 400);
        Assert.IsAssignableFrom<IOException>(bad);

        Assert.False(await handler.TryHandleAsync(context, bad, CancellationToken.None));
        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
    }
}
