using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Storage.Registry;

namespace MetaRec.Incremental;

/// <summary>
/// How incremental models live in the registry. Period checkpoints: family = the base family,
/// version <c>period-NNNN</c>, <see cref="ModelManifest.Role"/> <c>period</c>, parent = the
/// previous period's version. Generators: family = the generator's name, version
/// <c>through-NNNN</c> (trained through period NNNN), role <c>generator</c>. Generated serving
/// models: family = the base family, version <c>generated-NNNN</c> for the period they serve,
/// role <c>generated</c>, parents = the period checkpoints read, <see cref="ModelManifest.Generator"/>
/// = the generator version used. Periods are numbered from 1.
/// </summary>
public sealed class PeriodRegistry(IModelRegistry registry)
{
    public const string PeriodRole = "period";
    public const string GeneratedRole = "generated";
    public const string GeneratorRole = "generator";

    public IModelRegistry Registry => registry;

    public static string PeriodVersion(int period) => string.Create(CultureInfo.InvariantCulture, $"period-{period:D4}");

    public static string GeneratedVersion(int period) => string.Create(CultureInfo.InvariantCulture, $"generated-{period:D4}");

    public static string GeneratorVersion(int period) => string.Create(CultureInfo.InvariantCulture, $"through-{period:D4}");

    /// <summary>The versions of <paramref name="family"/> with <paramref name="role"/>, by period number.</summary>
    public async Task<IReadOnlyList<(int Period, ModelManifest Manifest)>> ListAsync(string family, string role, CancellationToken cancellation = default)
    {
        var families = await registry.ListFamiliesAsync(cancellation).ConfigureAwait(false);
        if (!families.Contains(family, StringComparer.Ordinal))
        {
            return [];
        }
        var versions = await registry.ListVersionsAsync(family, cancellation).ConfigureAwait(false);
        return [.. versions
            .Where(m => m.Role == role && int.TryParse(m.Period, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            .Select(m => (Period: int.Parse(m.Period!, CultureInfo.InvariantCulture), Manifest: m))
            .OrderBy(p => p.Period)];
    }

    /// <summary>Whether <paramref name="family"/> has <paramref name="version"/>.</summary>
    public async Task<bool> ExistsAsync(string family, string version, CancellationToken cancellation = default)
    {
        try
        {
            await registry.GetManifestAsync(family, version, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Downloads a version (verified) and loads it with <paramref name="load"/>.</summary>
    public async Task<T> LoadAsync<T>(string family, string version, Func<Stream, T> load, CancellationToken cancellation = default) =>
        (await registry.LoadAsync(family, version, load, cancellation).ConfigureAwait(false)).Value;

    /// <summary>Registers what <paramref name="save"/> writes under <paramref name="manifest"/>.</summary>
    public async Task<ModelManifest> RegisterAsync(ModelManifest manifest, Action<Stream> save, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(save);
        using var buffer = new MemoryStream();
        save(buffer);
        buffer.Position = 0;
        return await registry.RegisterAsync(manifest, buffer, cancellation).ConfigureAwait(false);
    }

    /// <summary>Loads a model version of <paramref name="family"/>.</summary>
    public Task<IRecModel> LoadModelAsync(IModelFamily family, string version, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(family);
        return LoadAsync(family.Name, version, family.Load, cancellation);
    }
}
