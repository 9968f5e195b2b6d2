using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Interactions.ServiceBus;

/// <summary>
/// Takes interaction events from a session-enabled Service Bus queue (or subscription) with a
/// <see cref="ServiceBusSessionProcessor"/>, in a hosted service of either host: sessions are
/// user ids, so one user's messages arrive in order (one at a time with the default
/// <c>MaxConcurrentCallsPerSession</c> 1) while <c>MaxConcurrentSessions</c> users run at once.
/// Every message is settled here, explicitly, as <see cref="InteractionMessageHandler"/>
/// decides (<c>AutoCompleteMessages</c> is off): completed, abandoned, or dead-lettered with
/// its reason and description. The entity's max delivery count ends the retries of an
/// abandoned message (the broker dead-letters it as <c>MaxDeliveryCountExceeded</c>).
/// </summary>
public sealed partial class ServiceBusInteractionProcessor(InteractionMessageHandler handler, IOptions<ServiceBusInteractionOptions> options, ILogger<ServiceBusInteractionProcessor> log)
    : IHostedService, IAsyncDisposable
{
    /// <summary>The application property an abandoned message carries on its next delivery: why the last one failed.</summary>
    public const string LastFailureProperty = "metarec-last-failure";

    private readonly ServiceBusInteractionOptions _settings = options.Value;
    private ServiceBusClient? _client;
    private ServiceBusSessionProcessor? _processor;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _client = CreateClient(_settings);
        _processor = CreateProcessor(_client, _settings);
        _processor.ProcessMessageAsync += SettleAsync;
        _processor.ProcessErrorAsync += ReportAsync;
        await _processor.StartProcessingAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(log, _processor.FullyQualifiedNamespace, _processor.EntityPath, _settings.MaxConcurrentSessions, _settings.MaxConcurrentCallsPerSession);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_processor is { IsProcessing: true })
        {
            // Waits for the messages in hand: each is settled before the processor closes.
            await _processor.StopProcessingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_processor is not null)
        {
            await _processor.DisposeAsync().ConfigureAwait(false);
        }
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The client for <paramref name="settings"/>: the namespace with <see cref="DefaultAzureCredential"/>, or the connection string.</summary>
    internal static ServiceBusClient CreateClient(ServiceBusInteractionOptions settings)
    {
        var client = new ServiceBusClientOptions { TransportType = settings.Transport };
        return string.IsNullOrWhiteSpace(settings.ConnectionString)
            ? new ServiceBusClient(settings.FullyQualifiedNamespace.Trim(), new DefaultAzureCredential(), client)
            : new ServiceBusClient(settings.ConnectionString, client);
    }

    /// <summary>The session processor <paramref name="settings"/> describe, settling nothing by itself.</summary>
    internal static ServiceBusSessionProcessor CreateProcessor(ServiceBusClient client, ServiceBusInteractionOptions settings)
    {
        ArgumentNullException.ThrowIfNull(client);
        var processor = new ServiceBusSessionProcessorOptions
        {
            AutoCompleteMessages = false,
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
            MaxConcurrentSessions = settings.MaxConcurrentSessions,
            MaxConcurrentCallsPerSession = settings.MaxConcurrentCallsPerSession,
            PrefetchCount = settings.PrefetchCount,
            SessionIdleTimeout = settings.SessionIdleTimeout,
            MaxAutoLockRenewalDuration = settings.MaxAutoLockRenewalDuration,
        };
        return string.IsNullOrWhiteSpace(settings.SubscriptionName)
            ? client.CreateSessionProcessor(settings.EntityName, processor)
            : client.CreateSessionProcessor(settings.EntityName, settings.SubscriptionName, processor);
    }

    /// <summary>
    /// One message: the handler decides, then the message is settled through
    /// <paramref name="args"/>. Settling does not take the processor's token: a message already
    /// applied (or refused) while the processor stops is still completed (or dead-lettered).
    /// A settlement that fails (the session lock lost) reaches the processor's error handler,
    /// and the broker delivers the message again.
    /// </summary>
    internal async Task SettleAsync(ProcessSessionMessageEventArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var message = args.Message;
        var settlement = await handler.HandleAsync(message.Body.ToMemory(), args.SessionId, message.MessageId, args.CancellationToken).ConfigureAwait(false);
        switch (settlement.Action)
        {
            case SettleAction.Complete:
                await args.CompleteMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
                break;
            case SettleAction.DeadLetter:
                await args.DeadLetterMessageAsync(message, settlement.Reason, settlement.Description, CancellationToken.None).ConfigureAwait(false);
                break;
            default: // abandon
            {
                var properties = new Dictionary<string, object> { [LastFailureProperty] = $"{settlement.Reason}: {settlement.Description}" };
                await args.AbandonMessageAsync(message, properties, CancellationToken.None).ConfigureAwait(false);
                LogRetry(log, message.MessageId, message.DeliveryCount);
                break;
            }
        }
    }

    private Task ReportAsync(ProcessErrorEventArgs args)
    {
        LogProcessorError(log, args.Exception, args.ErrorSource, args.EntityPath);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Service Bus: taking interactions from {Namespace}/{Entity}, {Sessions} session(s) at once, {Calls} call(s) per session")]
    private static partial void LogStarted(ILogger logger, string @namespace, string entity, int sessions, int calls);

    [LoggerMessage(Level = LogLevel.Information, Message = "message {MessageId} (delivery {DeliveryCount}) will be delivered again")]
    private static partial void LogRetry(ILogger logger, string? messageId, int deliveryCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Service Bus processor error ({Source}) on {Entity}")]
    private static partial void LogProcessorError(ILogger logger, Exception error, ServiceBusErrorSource source, string entity);
}
