using System.Text.Json;
using MetaRec.Core.Data;
using MetaRec.Core.IO;

namespace MetaRec.Core.Checkpoints;

/// <summary>
/// A training-data snapshot manifest: the data's path and fingerprint (and counts, the protocol
/// and split seed). The pipeline stores one per run with a copy of the data
/// (<c>metarec train --snapshot-run</c>); as a file, <c>metarec train --snapshot</c> trains on
/// exactly the data it names or refuses.
/// </summary>
public static class SnapshotFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/> (through a temporary file, so a reader never sees half of it).</summary>
    public static void Write(string path, DataSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        AtomicFile.Replace(path, ToJson(snapshot));
    }

    /// <exception cref="FileNotFoundException">No such snapshot.</exception>
    /// <exception cref="InvalidDataException">Not a snapshot manifest.</exception>
    public static DataSnapshot Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no snapshot manifest at '{path}'", path);
        }
        return FromJson(File.ReadAllBytes(path), $"'{path}'");
    }

    /// <summary>The manifest as stored (JSON).</summary>
    public static byte[] ToJson(DataSnapshot snapshot) => JsonSerializer.SerializeToUtf8Bytes(snapshot ?? throw new ArgumentNullException(nameof(snapshot)), Json);

    /// <summary>A stored manifest; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">Not a snapshot manifest.</exception>
    public static DataSnapshot FromJson(byte[] json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var snapshot = JsonSerializer.Deserialize<DataSnapshot>(json, Json);
            return snapshot is { Path.Length: > 0, Fingerprint.Length: > 0 } ? snapshot : throw new InvalidDataException($"{source} has no data path or fingerprint");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source} is not a snapshot manifest: {e.Message}", e);
        }
    }

    /// <summary>
    /// A copy of a snapshot's data at <paramref name="dataPath"/> with its stored manifest
    /// (<paramref name="source"/> names it in errors): the dataset, refused if the copy is not the
    /// data the manifest fingerprinted, and the manifest as stored (its path is where the data came from).
    /// </summary>
    public static (DataSnapshot Manifest, InteractionDataset Dataset) OpenCopy(byte[] manifestJson, string dataPath, string source)
    {
        var manifest = FromJson(manifestJson, source);
        return (manifest, Open(manifest with { Path = dataPath }));
    }

    /// <summary>The dataset the snapshot names, refused if it is no longer the same data.</summary>
    /// <exception cref="InvalidDataException">The data changed since the snapshot.</exception>
    public static InteractionDataset Open(DataSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var dataset = DatasetReader.Read(snapshot.Path);
        var fingerprint = DatasetFingerprint.Compute(dataset);
        return fingerprint == snapshot.Fingerprint
            ? dataset
            : throw new InvalidDataException($"the data at '{snapshot.Path}' changed since the snapshot (fingerprint {fingerprint[..12]}, snapshot {snapshot.Fingerprint[..12]})");
    }
}
