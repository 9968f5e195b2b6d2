using System.Text.Json;
using Azure.Storage.Queues;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Hosting;

namespace MetaRec.Functions.Standalone;

/// <summary>Standalone's dead-letter output binding: where poison messages go with their reasons.</summary>
public interface IDeadLetterSink
{
    Task WriteAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellation);
}

/// <summary>What every standalone trigger does with a message it gives up on.</summary>
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
