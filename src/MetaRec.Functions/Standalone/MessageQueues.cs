using System.Threading.Channels;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace MetaRec.Functions.Standalone;

/// <summary>A message taken from a standalone queue, with what settling it needs.</summary>
public sealed record Delivery(string Body, string MessageId, int DeliveryCount, object Receipt);

/// <summary>The interactions queue: the in-process channel (embedded) or an Azure Storage queue (standalone, or what the host's queue trigger reads).</summary>
public interface IMessageQueue
{
    Task SendAsync(IReadOnlyList<string> bodies, CancellationToken cancellation);

    /// <summary>Up to <paramref name="max"/> messages; waits for at least one.</summary>
    Task<IReadOnlyList<Delivery>> ReceiveAsync(int max, CancellationToken cancellation);

    /// <summary>Done with: never delivered again.</summary>
    Task CompleteAsync(Delivery delivery, CancellationToken cancellation);

    /// <summary>Failed: delivered again later.</summary>
    Task AbandonAsync(Delivery delivery, CancellationToken cancellation);
}

/// <summary>An in-process channel: fast and embedded, but messages live only as long as the process.</summary>
public sealed class ChannelMessageQueue : IMessageQueue
{
    private readonly Channel<Delivery> _channel = Channel.CreateUnbounded<Delivery>();

    public async Task SendAsync(IReadOnlyList<string> bodies, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        foreach (var body in bodies)
        {
            await _channel.Writer.WriteAsync(new Delivery(body, Guid.NewGuid().ToString("N"), 1, 0), cancellation).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<Delivery>> ReceiveAsync(int max, CancellationToken cancellation)
    {
        await _channel.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false);
        var batch = new List<Delivery>(max);
        while (batch.Count < max && _channel.Reader.TryRead(out var delivery))
        {
            batch.Add(delivery);
        }
        return batch;
    }

    public Task CompleteAsync(Delivery delivery, CancellationToken cancellation) => Task.CompletedTask;

    /// <summary>Back on the channel after a delay that grows with the delivery count (the loop is not held meanwhile).</summary>
    public Task AbandonAsync(Delivery delivery, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        _ = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100 * delivery.DeliveryCount), cancellation).ConfigureAwait(false);
            await _channel.Writer.WriteAsync(delivery with { DeliveryCount = delivery.DeliveryCount + 1 }, cancellation).ConfigureAwait(false);
        }, cancellation);
        return Task.CompletedTask;
    }
}

/// <summary>
/// An Azure Storage queue (Azurite locally). Received messages are invisible for
/// <paramref name="visibilityTimeout"/> (<c>MetaRec:Standalone:VisibilityTimeout</c>): a message
/// whose handling was cut off (the process died, storage went away) reappears after it. An
/// abandoned one reappears after a short delay with its dequeue count raised.
/// </summary>
public sealed class StorageMessageQueue(QueueClient queue, TimeSpan pollInterval, TimeSpan visibilityTimeout) : IMessageQueue
{
    private bool _created;

    public async Task SendAsync(IReadOnlyList<string> bodies, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        await EnsureAsync(cancellation).ConfigureAwait(false);
        foreach (var body in bodies)
        {
            await queue.SendMessageAsync(body, cancellation).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<Delivery>> ReceiveAsync(int max, CancellationToken cancellation)
    {
        await EnsureAsync(cancellation).ConfigureAwait(false);
        while (true)
        {
            QueueMessage[] messages = await queue.ReceiveMessagesAsync(max, visibilityTimeout, cancellation).ConfigureAwait(false);
            if (messages.Length > 0)
            {
                return [.. messages.Select(m => new Delivery(m.Body.ToString(), m.MessageId, (int)m.DequeueCount, m))];
            }
            await Task.Delay(pollInterval, cancellation).ConfigureAwait(false);
        }
    }

    public async Task CompleteAsync(Delivery delivery, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var message = (QueueMessage)delivery.Receipt;
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellation).ConfigureAwait(false);
    }

    public async Task AbandonAsync(Delivery delivery, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var message = (QueueMessage)delivery.Receipt;
        await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(1), cancellationToken: cancellation).ConfigureAwait(false);
    }

    private async Task EnsureAsync(CancellationToken cancellation)
    {
        if (!_created)
        {
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            _created = true;
        }
    }
}
