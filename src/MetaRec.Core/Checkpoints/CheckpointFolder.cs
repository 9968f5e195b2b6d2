using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MetaRec.Abstractions;
using MetaRec.Core.IO;

namespace MetaRec.Core.Checkpoints;

/// <summary>The data a model was trained on.</summary>
public sealed record DataSnapshot(string Path, string Fingerprint, int Users, int Items, int Interactions, string Protocol, int SplitSeed)
{
    /// <summary>The base dataset and log watermark the data was built from; null when the data was copied as it was.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DataSources? Sources { get; init; }
}

/// <summary>The weights file of a checkpoint and its integrity.</summary>
public sealed record WeightsFile(string File, string Sha256, long Bytes);

/// <summary><c>manifest.json</c> of a checkpoint folder.</summary>
public sealed record CheckpointManifest(
    string Family,
    DateTimeOffset CreatedUtc,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Training,
    DataSnapshot Data,
    IReadOnlyDictionary<string, double> Metrics,
    long TotalParameters,
    long AdaptiveParameters,
    WeightsFile Weights)
{
    /// <summary>External item ids in item-index order (what serving maps request ids with).</summary>
    public IReadOnlyList<string>? ItemIds { get; init; }
}

/// <summary>
/// A checkpoint folder: <c>manifest.json</c> (configuration, metrics, data fingerprint, the
/// weights' SHA-256) and the weights beside it. Writes go to temporary names first, so a
/// crash never leaves a manifest pointing at partial weights; loads verify the hash first.
/// </summary>
public static class CheckpointFolder
{
    public const string ManifestFile = "manifest.json";
    public const string WeightsFileName = "model.bin";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Saves <paramref name="model"/> and a manifest built by <paramref name="manifest"/> from the weights file.</summary>
    public static CheckpointManifest Write(string folder, IRecModel model, Func<WeightsFile, CheckpointManifest> manifest)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(manifest);
        Directory.CreateDirectory(folder);
        var weights = AtomicFile.Replace(Path.Combine(folder, WeightsFileName), temporary =>
        {
            using (var stream = File.Create(temporary))
            {
                model.Save(stream);
            }
            return new WeightsFile(WeightsFileName, Sha256(temporary), new FileInfo(temporary).Length);
        });
        var contents = manifest(weights);
        AtomicFile.Replace(Path.Combine(folder, ManifestFile), JsonSerializer.SerializeToUtf8Bytes(contents, Json));
        return contents;
    }

    public static CheckpointManifest ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no {ManifestFile} in checkpoint folder '{folder}'", path);
        }
        return JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(path), Json)
            ?? throw new InvalidDataException($"{path} is empty");
    }

    /// <summary>
    /// Loads the model after checking its weights against the manifest's SHA-256.
    /// </summary>
    /// <exception cref="InvalidDataException">The weights do not match the manifest.</exception>
    public static IRecModel Load(string folder, Func<string, IModelFamily> families, out CheckpointManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(families);
        manifest = ReadManifest(folder);
        var weightsPath = Path.Combine(folder, Path.GetFileName(manifest.Weights.File));
        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"checkpoint weights '{weightsPath}' are missing", weightsPath);
        }
        var actual = Sha256(weightsPath);
        if (!string.Equals(actual, manifest.Weights.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"checkpoint weights '{weightsPath}' have SHA-256 {actual}, the manifest says {manifest.Weights.Sha256}: refusing to load");
        }
        using var stream = File.OpenRead(weightsPath);
        return families(manifest.Family).Load(stream);
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
