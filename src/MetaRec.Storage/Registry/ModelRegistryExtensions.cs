namespace MetaRec.Storage.Registry;

/// <summary>Reading a version back as an object (a model, a generator).</summary>
public static class ModelRegistryExtensions
{
    /// <summary>
    /// Downloads a version's weights (verified against its manifest) into memory and reads them
    /// with <paramref name="load"/> (e.g. <c>IModelFamily.Load</c>); returns it with the manifest.
    /// </summary>
    public static async Task<(T Value, ModelManifest Manifest)> LoadAsync<T>(this IModelRegistry registry, string family, string version, Func<Stream, T> load, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(load);
        using var buffer = new MemoryStream();
        var manifest = await registry.DownloadWeightsAsync(family, version, buffer, cancellation).ConfigureAwait(false);
        buffer.Position = 0;
        return (load(buffer), manifest);
    }
}
