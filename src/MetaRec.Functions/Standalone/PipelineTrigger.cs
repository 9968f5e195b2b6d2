using MetaRec.Functions.Training;
using MetaRec.Pipeline;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Standalone;

/// <summary>
/// Standalone's triggers for the pipeline's queue functions, <c>AdvanceTrainingRun</c> and
/// <c>RefreshEmbeddingsShard</c>: a loop per queue that completes a message on success,
/// abandons it on failure (delivered again later) and dead-letters a malformed one or one that
/// failed <c>MaxDeliveryCount</c> times. At start it sends one message per unfinished run,
/// since an in-process queue loses its messages with the process (stale ones are ignored).
/// </summary>
public sealed partial class PipelineTrigger(TrainingQueues queues, TrainingRunFunctions functions, PipelineEngine engine, IDeadLetterSink deadLetters, IOptions<FunctionAppOptions> options, TimeProvider time, ILogger<PipelineTrigger> log) : BackgroundService
{
    private readonly StandaloneOptions _settings = options.Value.Standalone;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var message in await engine.ResumeAsync(stoppingToken).ConfigureAwait(false))
        {
            await queues.AdvanceAsync(message, TimeSpan.Zero, stoppingToken).ConfigureAwait(false);
            LogResumed(log, message.RunId, message.Revision);
        }
        await Task.WhenAll(
            LoopAsync(queues.Advance, "AdvanceTrainingRun", functions.AdvanceAsync, stoppingToken),
            LoopAsync(queues.Refresh, "RefreshEmbeddingsShard", functions.RefreshShardAsync, stoppingToken)).ConfigureAwait(false);
    }

    private Task LoopAsync(IMessageQueue queue, string function, Func<string, CancellationToken, Task<string>> handle, CancellationToken stoppingToken) =>
        DeadLettering.ReceiveLoopAsync(
            queue,
            4,
            async (batch, cancellation) =>
            {
                foreach (var delivery in batch)
                {
                    await HandleAsync(queue, function, handle, delivery, cancellation).ConfigureAwait(false);
                }
            },
            _settings.PollInterval,
            time,
            e => LogLoopFailed(log, function, e),
            stoppingToken);

    private async Task HandleAsync(IMessageQueue queue, string function, Func<string, CancellationToken, Task<string>> handle, Delivery delivery, CancellationToken cancellation)
    {
        try
        {
            await handle(delivery.Body, cancellation).ConfigureAwait(false);
            await queue.CompleteAsync(delivery, cancellation).ConfigureAwait(false);
        }
        catch (FormatException e)
        {
            await deadLetters.DeadLetterAsync(queue, delivery, e.Message, function, time.GetUtcNow(), cancellation).ConfigureAwait(false);
            LogPoison(log, function, delivery.MessageId, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            await deadLetters.DeadLetterOrAbandonAsync(queue, delivery, _settings.MaxDeliveryCount, $"failed {delivery.DeliveryCount} deliveries: {e.Message}", function, time.GetUtcNow(), cancellation).ConfigureAwait(false);
            LogFailed(log, function, delivery.MessageId, delivery.DeliveryCount, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "resuming training run {RunId} at revision {Revision}")]
    private static partial void LogResumed(ILogger logger, string runId, long revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Function} trigger loop failed")]
    private static partial void LogLoopFailed(ILogger logger, string function, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: message {MessageId} dead-lettered: {Reason}")]
    private static partial void LogPoison(ILogger logger, string function, string messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Function}: message {MessageId} failed delivery {DeliveryCount}: {Reason}")]
    private static partial void LogFailed(ILogger logger, string function, string messageId, int deliveryCount, string reason);
}
