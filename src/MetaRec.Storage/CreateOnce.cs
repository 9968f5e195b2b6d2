namespace MetaRec.Storage;

/// <summary>
/// Creating a container or table once per store instance, on first need, instead of a
/// <c>CreateIfNotExists</c> round trip before every write. The creation runs once and is shared
/// by concurrent callers; one that failed (or was cancelled) is tried again by the next caller.
/// </summary>
internal sealed class CreateOnce(Func<CancellationToken, Task> create)
{
    private readonly Lock _gate = new();
    private Task? _creation;

    /// <summary>Completes once the resource exists; <paramref name="cancellation"/> stops only this caller's wait.</summary>
    public Task EnsureAsync(CancellationToken cancellation)
    {
        Task creation;
        lock (_gate)
        {
            if (_creation is null || _creation.IsFaulted || _creation.IsCanceled)
            {
                _creation = create(CancellationToken.None);
            }
            creation = _creation;
        }
        return creation.WaitAsync(cancellation);
    }
}
