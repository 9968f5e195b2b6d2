using MetaRec.Core.Configuration;
using MetaRec.Core.MetaLearning;

namespace MetaRec.Plugins.LiMaml;

/// <summary>
/// LiMAML's settings with their defaults: dim (32, width of id and field embeddings),
/// meta_hidden (64), embedding_size (64, floats stored per user), hidden1 (64), hidden2 (64),
/// inner_steps (5), inner_lr (1), first_order (true), outer_lr (1e-3), weight_decay (0),
/// support_loss (2: weight of the support loss at the meta-initialisation in the outer loss; 0
/// is plain MAML). embedding_size, inner_steps, inner_lr and support_loss are the winners of
/// `metarec tune` on ml-100k (docs/results/cold-start.md).
/// </summary>
internal sealed record LiMamlSettings(
    int Dim,
    int MetaHidden,
    int EmbeddingSize,
    int Hidden1,
    int Hidden2,
    MamlOptions Maml,
    IReadOnlyDictionary<string, string> Effective)
{
    public static LiMamlSettings Read(IReadOnlyDictionary<string, string> given)
    {
        var reader = new SettingsReader(given);
        var settings = new LiMamlSettings(
            reader.Int("dim", 32, 1, 1024),
            reader.Int("meta_hidden", 64, 1, 4096),
            reader.Int("embedding_size", 64, 1, 4096),
            reader.Int("hidden1", 64, 1, 4096),
            reader.Int("hidden2", 64, 1, 4096),
            new MamlOptions
            {
                InnerSteps = reader.Int("inner_steps", 5, 0, 100),
                InnerLearningRate = reader.Float("inner_lr", 1f, 0, 100),
                FirstOrder = reader.Bool("first_order", true),
                OuterLearningRate = reader.Float("outer_lr", 1e-3f, 1e-7f, 1),
                WeightDecay = reader.Float("weight_decay", 0f, 0, 1),
                SupportLossWeight = reader.Float("support_loss", 2f, 0, 100),
            },
            reader.Effective);
        reader.ThrowOnUnknown();
        return settings;
    }
}
