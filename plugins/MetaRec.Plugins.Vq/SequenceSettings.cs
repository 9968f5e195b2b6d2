using MetaRec.Core.Configuration;

namespace MetaRec.Plugins.Vq;

/// <summary>How the next-item loss treats the catalogue.</summary>
internal enum NextItemLoss
{
    /// <summary>Cross-entropy over every item of the domain.</summary>
    Softmax,

    /// <summary>Cross-entropy over the true item and <see cref="SequenceSettings.Negatives"/> uniformly drawn items shared by the batch.</summary>
    Sampled,
}

/// <summary>
/// The sequential model's settings, one source of defaults. Keys (<c>--set key=value</c>):
/// hidden (64), max_length (50), blocks (2), heads (2), dropout (0.5), lr (2e-3),
/// weight_decay (0), batch (128), loss (softmax | sampled; sampled), negatives (1024).
/// Dropout, lr, loss and negatives were chosen on Beauty validation (docs/results/transfer.md).
/// </summary>
internal sealed record SequenceSettings(
    int Hidden,
    int MaxLength,
    int Blocks,
    int Heads,
    float Dropout,
    float LearningRate,
    float WeightDecay,
    int BatchSize,
    NextItemLoss Loss,
    int Negatives,
    IReadOnlyDictionary<string, string> Effective)
{
    /// <summary>Every key this record reads (normalised).</summary>
    public static readonly string[] Keys = ["hidden", "max_length", "blocks", "heads", "dropout", "lr", "weight_decay", "batch", "loss", "negatives"];

    public static SequenceSettings Read(IReadOnlyDictionary<string, string> given)
    {
        var reader = new SettingsReader(given);
        var hidden = reader.Int("hidden", 64, 4, 1024);
        var heads = reader.Int("heads", 2, 1, 64);
        if (hidden % heads != 0)
        {
            throw new ArgumentException($"setting 'hidden' ({hidden}) must be a multiple of 'heads' ({heads})");
        }
        var loss = reader.String("loss", "sampled").ToLowerInvariant() switch
        {
            "softmax" => NextItemLoss.Softmax,
            "sampled" => NextItemLoss.Sampled,
            var other => throw new ArgumentException($"setting 'loss' must be softmax or sampled, not '{other}'"),
        };
        var settings = new SequenceSettings(
            hidden,
            reader.Int("max_length", 50, 1, 1000),
            reader.Int("blocks", 2, 1, 16),
            heads,
            reader.Float("dropout", 0.5f, 0, 0.9f),
            reader.Float("lr", 2e-3f, 1e-6f, 1),
            reader.Float("weight_decay", 0f, 0, 1),
            reader.Int("batch", 128, 1, 65_536),
            loss,
            reader.Int("negatives", 1024, 1, 1_000_000),
            reader.Effective);
        reader.ThrowOnUnknown();
        return settings;
    }

    /// <summary>Splits given settings into this record's keys and the rest.</summary>
    public static (Dictionary<string, string> Model, Dictionary<string, string> Other) Partition(IReadOnlyDictionary<string, string> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var model = new Dictionary<string, string>(StringComparer.Ordinal);
        var other = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in given)
        {
            var normalized = key.Trim().Replace('-', '_').ToLowerInvariant();
            (Keys.Contains(normalized) ? model : other)[key] = value;
        }
        return (model, other);
    }
}
