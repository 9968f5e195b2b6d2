using MetaRec.Core.Configuration;

namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>
/// How the transfer trainers train, one source of defaults (chosen on target validation; see
/// docs/results/transfer.md). Keys (<c>--set key=value</c>, beside the model's
/// <see cref="SequenceSettings"/> keys):
/// epochs (100): most passes over the target training data when training or fine-tuning on it;
/// validate_every (50): steps (joint: rounds) between validations in every stage;
/// patience (8): validations without a gain before a stage stops (a target run's validation NDCG
/// sits flat for 100–250 steps before it climbs, so 3 stopped Sports at 10% at step 200; and at 40
/// epochs Beauty at 10% was still climbing at the cap);
/// validation_users (2000): target validation cases a stage is selected on (a seeded subset; 0 = all);
/// source_epochs (1): passes over the sources when pre-training;
/// joint_epochs (2): most joint epochs (rounds of one batch per domain, as many as the largest domain has batches);
/// meta_steps (300): most meta steps (one batch of every source and one target batch each);
/// inner_steps (1), inner_lr (0.5), first_order (true): the inner loop on each source;
/// temperature (0.05) and similarity (aligned | raw): the source weights softmax(s / T);
/// source_weight (1): how much the weighted source gradients at θ join the meta gradient;
/// vq_heads (4), commitment (0.25), codebook_weight (0.1), vq_refresh (50): the quantizer
/// (heads per item vector, loss weights, meta steps between code assignments).
/// </summary>
internal sealed record TransferSettings(
    int Epochs,
    int Patience,
    int ValidationUsers,
    int SourceEpochs,
    int JointEpochs,
    int MetaSteps,
    int ValidateEvery,
    int InnerSteps,
    float InnerLearningRate,
    bool FirstOrder,
    double Temperature,
    SimilaritySign Sign,
    float SourceWeight,
    int VqHeads,
    float Commitment,
    float CodebookWeight,
    int VqRefresh,
    IReadOnlyDictionary<string, string> Effective)
{
    public static TransferSettings Read(IReadOnlyDictionary<string, string> given)
    {
        var reader = new SettingsReader(given);
        var settings = new TransferSettings(
            reader.Int("epochs", 100, 1, 10_000),
            reader.Int("patience", 8, 1, 1_000),
            reader.Int("validation_users", 2000, 0, int.MaxValue),
            reader.Int("source_epochs", 1, 0, 1_000),
            reader.Int("joint_epochs", 2, 1, 1_000),
            reader.Int("meta_steps", 300, 1, 10_000_000),
            reader.Int("validate_every", 50, 1, 10_000_000),
            reader.Int("inner_steps", 1, 1, 100),
            reader.Float("inner_lr", 0.5f, 1e-6f, 1_000),
            reader.Bool("first_order", true),
            reader.Float("temperature", 0.05f, 1e-6f, 1e6f),
            reader.String("similarity", "aligned").ToLowerInvariant() switch
            {
                "aligned" => SimilaritySign.Aligned,
                "raw" => SimilaritySign.Raw,
                var other => throw new ArgumentException($"setting 'similarity' must be aligned or raw, not '{other}'"),
            },
            reader.Float("source_weight", 1f, 0, 1_000),
            reader.Int("vq_heads", 4, 1, 1024),
            reader.Float("commitment", 0.25f, 0, 1_000),
            reader.Float("codebook_weight", 0.1f, 0, 1_000),
            reader.Int("vq_refresh", 50, 1, 10_000_000),
            reader.Effective);
        reader.ThrowOnUnknown();
        return settings;
    }
}
