using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Serving;

/// <summary>
/// Bounds the model calls (scoring and refresh) that run at once. libtorch runs each call on
/// one thread (the app initialises it so); more calls than cores would only queue in the CPU.
/// </summary>
public sealed class ModelGate(IOptions<FunctionAppOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Slots(options.Value.Scoring.Concurrency));

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _slots.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return work();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private static int Slots(int configured) => configured > 0 ? configured : Environment.ProcessorCount;
}
