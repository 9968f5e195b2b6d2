namespace MetaRec.Core.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its handler on the reporting thread, unlike
/// <see cref="Progress{T}"/>, which posts to the thread pool (extra threads allocating while
/// native tensor code runs invite the scalar race described in <see cref="Tensors.Scalars"/>).
/// </summary>
public sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
