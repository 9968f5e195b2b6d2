namespace MetaRec.Storage.Registry;

/// <summary>
/// What the registry knows of one model version: its configuration, metrics, the data it was
/// trained on, its lineage and the SHA-256 and size of its weights (filled in by the registry).
/// </summary>
public sealed record ModelManifest
{
    public required string Family { get; init; }

    public required string Version { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Fingerprint of the training data snapshot, if known.</summary>
    public string? DataSnapshot { get; init; }

    /// <summary>Versions this one was derived from (lineage); retention keeps them.</summary>
    public IReadOnlyList<string> Parents { get; init; } = [];

    /// <summary>Time period of an incremental model, if any.</summary>
    public string? Period { get; init; }

    /// <summary>
    /// What made the version, for incremental models: <c>period</c> (trained on its period from
    /// the previous period's model), <c>generated</c> (by a model generator from period models),
    /// <c>generator</c> (a generator's own weights). Null for ordinary trained models.
    /// </summary>
    public string? Role { get; init; }

    /// <summary>For a generated model: the generator that made it, as <c>family/version</c>.</summary>
    public string? Generator { get; init; }

    /// <summary>
    /// External item ids in the model's item-index order (index i scores item <c>ItemIds[i]</c>);
    /// what a serving host needs to turn request ids into catalogue rows. Empty when unknown.
    /// </summary>
    public IReadOnlyList<string> ItemIds { get; init; } = [];

    /// <summary>Hex SHA-256 of the weights, computed by the registry while uploading.</summary>
    public string WeightsSha256 { get; init; } = string.Empty;

    public long WeightsBytes { get; init; }
}

/// <summary>The active version of a family, the versions active before it (latest first) and the pointer's ETag.</summary>
public sealed record ActiveModel(string Version, IReadOnlyList<string> Previous, DateTimeOffset UpdatedUtc, string ETag);

/// <summary>A concurrent change won: the caller's view of the registry is stale.</summary>
public sealed class RegistryConflictException(string message) : Exception(message);

/// <summary>A checkpoint whose weights do not match its manifest; it can never become active.</summary>
public sealed class CorruptCheckpointException(string message) : IOException(message);
