using MetaRec.Functions.Functions;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Standalone;

/// <summary>
/// Standalone's trigger for <c>Interactions</c>: takes batches from the app's queue, invokes the
/// function, then settles like the Functions host would: success completes the batch and
/// writes its dead-letter output; failure abandons it, and a message that failed
/// <c>MaxDeliveryCount</c> times goes to the dead-letter sink instead of being retried.
/// </summary>
public sealed partial class InteractionsQueueTrigger(IMessageQueue queue, InteractionsFunction function, IDeadLetterSink deadLetters, IOptions<FunctionAppOptions> options, TimeProvider time, ILogger<InteractionsQueueTrigger> log) : BackgroundService
{
    private readonly StandaloneOptions _settings = options.Value.Standalone;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        DeadLettering.ReceiveLoopAsync(queue, _settings.BatchSize, HandleAsync, _settings.PollInterval, time, e => LogTriggerFailed(log, e), stoppingToken);

    internal async Task HandleAsync(IReadOnlyList<Delivery> batch, CancellationToken cancellation)
    {
        var live = new List<Delivery>(batch.Count);
        foreach (var delivery in batch)
        {
            if (delivery.DeliveryCount > _settings.MaxDeliveryCount)
            {
                await DeadLetterAsync(delivery, $"failed {delivery.DeliveryCount - 1} deliveries (MetaRec:Standalone:MaxDeliveryCount)", delivery.DeliveryCount - 1, cancellation).ConfigureAwait(false);
            }
            else
            {
                live.Add(delivery);
            }
        }
        if (live.Count == 0)
        {
            return;
        }
        InteractionsOutcome outcome;
        try
        {
            outcome = await function.InvokeAsync([.. live.Select(d => new IncomingMessage(d.Body, d.MessageId, d.DeliveryCount))], cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            LogInvocationFailed(log, e, live.Count);
            outcome = new InteractionsOutcome(false, e.Message, [], [], null);
        }
        if (outcome.Succeeded)
        {
            await deadLetters.WriteAsync(outcome.DeadLetters, cancellation).ConfigureAwait(false);
            foreach (var delivery in live)
            {
                await queue.CompleteAsync(delivery, cancellation).ConfigureAwait(false);
            }
            return;
        }
        foreach (var delivery in live)
        {
            var reason = $"{outcome.Failure} (delivery {delivery.DeliveryCount} of {_settings.MaxDeliveryCount})";
            if (await deadLetters.DeadLetterOrAbandonAsync(queue, delivery, _settings.MaxDeliveryCount, reason, "Interactions", time.GetUtcNow(), cancellation).ConfigureAwait(false))
            {
                LogExpired(log, delivery.MessageId, delivery.DeliveryCount);
            }
        }
    }

    private async Task DeadLetterAsync(Delivery delivery, string reason, int failedDeliveries, CancellationToken cancellation)
    {
        await deadLetters.DeadLetterAsync(queue, delivery, reason, "Interactions", time.GetUtcNow(), cancellation).ConfigureAwait(false);
        LogExpired(log, delivery.MessageId, failedDeliveries);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "the standalone queue trigger failed; retrying")]
    private static partial void LogTriggerFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "message {MessageId} dead-lettered after {Deliveries} failed deliveries")]
    private static partial void LogExpired(ILogger logger, string messageId, int deliveries);

    [LoggerMessage(Level = LogLevel.Error, Message = "Interactions invocation of {Count} message(s) failed; the batch will be redelivered")]
    private static partial void LogInvocationFailed(ILogger logger, Exception error, int count);
}
