using System.Text.Json;
using Azure.Storage.Queues;
using MetaRec.Functions.Functions;

namespace MetaRec.Functions.Standalone;

/// <summary>Standalone's dead-letter output binding: where poison messages go with their reasons.</summary>
public interface IDeadLetterSink
{
    Task WriteAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellation);
}

/// <summary>What every standalone trigger does: its receive loop, and settling a message that failed or that it gives up on.</summary>
public static class DeadLettering
{
    /// <summary>Writes <paramref name="delivery"/> to the sink with its reason, then completes it, so it is never delivered again.</summary>
    public static async Task DeadLetterAsync(this IDeadLetterSink sink, IMessageQueue queue, Delivery delivery, string reason, string function, DateTimeOffset now, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(delivery);
        await sink.WriteAsync([new DeadLetter(reason, delivery.MessageId, delivery.DeliveryCount, delivery.Body, now, function)], cancellation).ConfigureAwait(false);
        await queue.CompleteAsync(delivery, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Settles a delivery whose invocation failed, as the host does: the last allowed delivery
    /// (<paramref name="maxDeliveryCount"/>) is dead-lettered with <paramref name="reason"/>, an
    /// earlier one is abandoned to be delivered again. True when it was dead-lettered.
    /// </summary>
    public static async Task<bool> DeadLetterOrAbandonAsync(this IDeadLetterSink sink, IMessageQueue queue, Delivery delivery, int maxDeliveryCount, string reason, string function, DateTimeOffset now, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.DeliveryCount >= maxDeliveryCount)
        {
            await sink.DeadLetterAsync(queue, delivery, reason, function, now, cancellation).ConfigureAwait(false);
            return true;
        }
        await queue.AbandonAsync(delivery, cancellation).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// A standalone trigger's loop: receives up to <paramref name="batchSize"/> messages and hands
    /// them to <paramref name="handle"/> until stopped; a failing receive or handler is reported
    /// to <paramref name="failed"/> and the loop goes on after <paramref name="pollInterval"/>.
    /// </summary>
    public static async Task ReceiveLoopAsync(IMessageQueue queue, int batchSize, Func<IReadOnlyList<Delivery>, CancellationToken, Task> handle, TimeSpan pollInterval, TimeProvider time, Action<Exception> failed, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(failed);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await handle(await queue.ReceiveAsync(batchSize, stoppingToken).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failed(e);
                await Task.Delay(pollInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>JSON lines in <c>{folder}/deadletter/{name}.jsonl</c> (embedded default).</summary>
public sealed class FolderDeadLetterSink(string folder, string name) : IDeadLetterSink, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetFullPath(folder), "deadletter", name + ".jsonl");

    public async Task WriteAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(letters);
        var lines = string.Concat(letters.Select(l => JsonSerializer.Serialize(l, FunctionResponse.Json) + "\n"));
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await File.AppendAllTextAsync(Path, lines, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>One queue message per poison message (azure backend), as a queue output binding writes them.</summary>
public sealed class QueueDeadLetterSink(QueueClient queue) : IDeadLetterSink
{
    public async Task WriteAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Count == 0)
        {
            return;
        }
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
        foreach (var letter in letters)
        {
            await queue.SendMessageAsync(JsonSerializer.Serialize(letter, FunctionResponse.Json), cancellation).ConfigureAwait(false);
        }
    }
}
