using System.Globalization;
using MetaRec.Functions.Interactions;
using MetaRec.Storage.Interactions;
using Microsoft.Azure.Functions.Worker;

namespace MetaRec.Functions.Functions;

/// <summary>One delivered message: its body and what the trigger says about it.</summary>
public sealed record IncomingMessage(string Body, string? MessageId, int? DeliveryCount);

/// <summary>A poison message on its way to the dead-letter output.</summary>
public sealed record DeadLetter(string Reason, string? MessageId, int? DeliveryCount, string Body, DateTimeOffset DeadLetteredUtc, string Function = "Interactions");

/// <summary>The outcome of one invocation. <see cref="Succeeded"/> false fails it, so the trigger's retry and dead-letter rules apply.</summary>
public sealed record InteractionsOutcome(bool Succeeded, string? Failure, IReadOnlyList<DeadLetter> DeadLetters, IReadOnlyList<string> Logs, ProcessResult? Result);

/// <summary>
/// <c>Interactions</c>: a batch of messages (or one). Poison messages never hold back the valid
/// ones: in a batch they go to the dead-letter output with the reason while the rest is applied;
/// delivered alone, the invocation fails so Service Bus retries and finally dead-letters it.
/// A storage failure fails the whole invocation: everything is idempotent, so the retry is safe.
/// </summary>
public sealed partial class InteractionsFunction(InteractionProcessor processor, TimeProvider time, ILogger<InteractionsFunction> log)
{
    /// <summary>The queue setting the Functions host's trigger reads (<c>%InteractionsQueue%</c>); the <c>Events</c> function writes there.</summary>
    public const string QueueSetting = "InteractionsQueue";

    /// <summary>
    /// Under the Functions host: one message of the interactions Storage queue. A failure throws,
    /// so the host retries it and, after <c>maxDequeueCount</c> (host.json), moves it to the
    /// <c>-poison</c> queue.
    /// </summary>
    [Function("Interactions")]
    public async Task Interactions([QueueTrigger("%" + QueueSetting + "%", Connection = HostQueue.Connection)] string message, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.BindingContext.BindingData;
        var id = data.TryGetValue("Id", out var value) ? value?.ToString() : null;
        int? deliveries = data.TryGetValue("DequeueCount", out var count) && int.TryParse(count?.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        var outcome = await InvokeAsync([new IncomingMessage(message, id, deliveries)], context.CancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException(outcome.Failure);
        }
    }

    public async Task<InteractionsOutcome> InvokeAsync(IReadOnlyList<IncomingMessage> messages, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var logs = new List<string>();
        var events = new List<InteractionEvent>();
        var poison = new List<DeadLetter>();
        foreach (var message in messages)
        {
            try
            {
                events.AddRange(InteractionMessages.Parse(message.Body));
            }
            catch (PoisonMessageException e)
            {
                poison.Add(new DeadLetter(e.Message, message.MessageId, message.DeliveryCount, message.Body, time.GetUtcNow()));
            }
        }
        if (messages.Count == 1 && poison.Count == 1)
        {
            var refused = $"message {poison[0].MessageId ?? "(no id)"} refused (delivery {Count(poison[0].DeliveryCount)}): {poison[0].Reason}";
            LogRefused(log, poison[0].MessageId, poison[0].DeliveryCount, poison[0].Reason);
            return new InteractionsOutcome(false, refused, [], [refused], null);
        }
        foreach (var letter in poison)
        {
            LogDeadLettered(log, letter.MessageId, letter.Reason);
            logs.Add($"message {letter.MessageId ?? "(no id)"} dead-lettered: {letter.Reason}");
        }
        var result = await processor.ProcessAsync(events, cancellation).ConfigureAwait(false);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{messages.Count} message(s): {result.Events} event(s) for {result.Users} user(s) applied, {result.Duplicates} duplicate(s), {poison.Count} poison; refreshed {result.Refreshed}, deferred {result.Deferred}, unchanged {result.Unchanged}");
        LogApplied(log, summary);
        logs.Add(summary);
        return new InteractionsOutcome(true, null, poison, logs, result);
    }

    private static string Count(int? deliveries) => deliveries?.ToString(CultureInfo.InvariantCulture) ?? "?";

    [LoggerMessage(Level = LogLevel.Warning, Message = "message {MessageId} (delivery {DeliveryCount}) refused as poison: {Reason}")]
    private static partial void LogRefused(ILogger logger, string? messageId, int? deliveryCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "message {MessageId} dead-lettered from its batch: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string? messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Summary}")]
    private static partial void LogApplied(ILogger logger, string summary);
}
