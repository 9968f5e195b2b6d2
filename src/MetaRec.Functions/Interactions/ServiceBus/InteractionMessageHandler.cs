using System.Text;
using System.Text.Json;
using MetaRec.Storage.Interactions;

namespace MetaRec.Functions.Interactions.ServiceBus;

/// <summary>
/// The transport-independent half of a broker trigger: one message body in, the settlement
/// out. The body is read as <see cref="InteractionMessages"/> reads it and applied by
/// <see cref="InteractionProcessor"/> (idempotent, so a redelivery is safe). Poison (too large,
/// not UTF-8, not JSON, an invalid field, another user's event in a user's session) is
/// dead-lettered with its reason; a named transient failure, or any other failure, abandons
/// the message so the broker delivers it again until its max delivery count ends the retries.
/// Nothing is acknowledged that was not applied.
/// </summary>
public sealed partial class InteractionMessageHandler(InteractionProcessor processor, int maxMessageBytes, ILogger<InteractionMessageHandler> log)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="body">The message body.</param>
    /// <param name="sessionUser">The session the message came in (the user id), or null on a transport without sessions.</param>
    /// <param name="messageId">For the log lines.</param>
    /// <param name="cancellation">Cancelled when the transport stops; the message is then abandoned.</param>
    public async Task<Settlement> HandleAsync(ReadOnlyMemory<byte> body, string? sessionUser, string? messageId, CancellationToken cancellation)
    {
        var settlement = Read(body, sessionUser, out var events) ?? await ApplyAsync(events, cancellation).ConfigureAwait(false);
        switch (settlement.Action)
        {
            case SettleAction.DeadLetter:
                LogPoison(log, messageId, settlement.Reason, settlement.Description);
                break;
            case SettleAction.Abandon:
                LogAbandoned(log, messageId, settlement.Reason, settlement.Description);
                break;
            default:
                LogApplied(log, messageId, settlement.Description);
                break;
        }
        return settlement;
    }

    /// <summary>The poison checks; null with the events when the message can be applied.</summary>
    private Settlement? Read(ReadOnlyMemory<byte> body, string? sessionUser, out IReadOnlyList<InteractionEvent> events)
    {
        events = [];
        if (body.Length > maxMessageBytes)
        {
            return Settlement.DeadLetter(Settlement.Reasons.Oversized, $"the body is {body.Length} bytes; at most {maxMessageBytes} are read (MetaRec:ServiceBus:MaxMessageBytes)");
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(body.Span);
        }
        catch (DecoderFallbackException e)
        {
            return Settlement.DeadLetter(Settlement.Reasons.InvalidEncoding, $"the body is not UTF-8: {e.Message}");
        }
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..]; // a byte order mark is not part of the JSON
        }
        try
        {
            JsonDocument.Parse(text).Dispose();
        }
        catch (JsonException e)
        {
            return Settlement.DeadLetter(Settlement.Reasons.InvalidJson, $"not JSON: {e.Message}");
        }
        try
        {
            events = InteractionMessages.Parse(text);
        }
        catch (PoisonMessageException e)
        {
            return Settlement.DeadLetter(Settlement.Reasons.InvalidEvent, e.Message);
        }
        if (sessionUser is not null)
        {
            for (var i = 0; i < events.Count; i++)
            {
                if (!string.Equals(events[i].UserId, sessionUser, StringComparison.Ordinal))
                {
                    var at = events.Count > 1 ? $"[{i}]." : string.Empty;
                    return Settlement.DeadLetter(Settlement.Reasons.SessionMismatch, $"{at}userId '{events[i].UserId}' is not the session's user '{sessionUser}'; a producer sets SessionId to the user id of every event in the message");
                }
            }
        }
        return null;
    }

    private async Task<Settlement> ApplyAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellation)
    {
        try
        {
            var result = await processor.ProcessAsync(events, cancellation).ConfigureAwait(false);
            return Settlement.Complete($"{result.Events} event(s) applied, {result.Duplicates} duplicate(s); refreshed {result.Refreshed}, deferred {result.Deferred}, unchanged {result.Unchanged}");
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Settlement.Abandon(Settlement.Reasons.Stopping, "stopped before the events were applied; they are delivered again");
        }
        catch (Exception e) when (TransientFailure.Is(e))
        {
            return Settlement.Abandon(Settlement.Reasons.Transient, $"{e.GetType().Name}: {e.Message}");
        }
        catch (Exception e)
        {
            LogUnexpected(log, e);
            return Settlement.Abandon(Settlement.Reasons.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "message {MessageId} dead-lettered as {Reason}: {Description}")]
    private static partial void LogPoison(ILogger logger, string? messageId, string reason, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "message {MessageId} abandoned ({Reason}): {Description}")]
    private static partial void LogAbandoned(ILogger logger, string? messageId, string reason, string description);

    [LoggerMessage(Level = LogLevel.Debug, Message = "message {MessageId}: {Summary}")]
    private static partial void LogApplied(ILogger logger, string? messageId, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "applying a message failed unexpectedly; it is abandoned and retried until its max delivery count")]
    private static partial void LogUnexpected(ILogger logger, Exception error);
}
