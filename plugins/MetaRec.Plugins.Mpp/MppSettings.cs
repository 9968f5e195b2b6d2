using MetaRec.Core.Configuration;
using MetaRec.Core.MetaLearning;

namespace MetaRec.Plugins.Mpp;

/// <summary>How a family built on <see cref="EmbeddingMlp"/> trains and adapts.</summary>
internal enum Mode
{
    /// <summary>Meta parameter partition: MAML on the adaptive part, online stage supported.</summary>
    Mpp,

    /// <summary>MeLU-style: second-order MAML adapting every decision layer, embeddings fixed per user.</summary>
    Melu,

    /// <summary>One network trained on all interactions; no adaptation.</summary>
    Pooled,

    /// <summary>Pooled training; at serving, fine-tunes every parameter on the support set.</summary>
    FineTune,
}

/// <summary>
/// Settings of the embedding-MLP families, with one source of defaults per family. Keys (as
/// given to <c>metarec train --set key=value</c>): embedding_dim, hidden1, hidden2, user_dim
/// (size of the per-user vector beside the features; 0 = none), adaptive (comma list of fc1,
/// fc2, out, user_bias, user_vector; pooled-finetune also takes "all", its default, and
/// fine-tunes the embeddings too), inner_steps, inner_lr, first_order, outer_lr,
/// online_lr, weight_decay, support_loss (mpp and melu, default 2: weight of the support loss at
/// the meta-initialisation in the outer loss, so the shared layers also learn from support
/// examples; 0 is plain MAML, which scored lower on validation, docs/results/cold-start.md).
/// </summary>
internal sealed record MppSettings(
    Mode Mode,
    int EmbeddingDim,
    int Hidden1,
    int Hidden2,
    int UserDim,
    IReadOnlyList<string> AdaptiveGroups,
    MamlOptions Maml,
    IReadOnlyDictionary<string, string> Effective)
{
    /// <summary>Valid names in the adaptive list: decoder layers and the user bias.</summary>
    public static readonly string[] Groups = [.. EmbeddingMlp.Layers, EmbeddingMlp.UserBias, EmbeddingMlp.UserVector];

    public static MppSettings Read(Mode mode, IReadOnlyDictionary<string, string> given)
    {
        var reader = new SettingsReader(given);
        // mpp and melu: the winners of `metarec tune` on ml-100k (docs/results/cold-start.md).
        var (adaptive, steps, innerLr, firstOrder, supportLoss) = mode switch
        {
            Mode.Mpp => ("out", 5, 0.5f, true, 2f),
            Mode.Melu => ("fc1,fc2,out", 5, 0.5f, false, 2f),
            Mode.FineTune => ("all", 5, 0.05f, true, 0f),
            _ => ("", 0, 0f, true, 0f),
        };
        var settings = new MppSettings(
            mode,
            reader.Int("embedding_dim", 32, 1, 1024),
            reader.Int("hidden1", 64, 1, 4096),
            reader.Int("hidden2", 64, 1, 4096),
            reader.Int("user_dim", 0, 0, 1024),
            mode is Mode.Mpp or Mode.Melu or Mode.FineTune ? ParseGroups(reader.String("adaptive", adaptive), allowAll: mode == Mode.FineTune) : [],
            new MamlOptions
            {
                InnerSteps = mode == Mode.Pooled ? 0 : reader.Int("inner_steps", steps, 0, 100),
                InnerLearningRate = mode == Mode.Pooled ? 0 : reader.Float("inner_lr", innerLr, 0, 100),
                FirstOrder = mode is Mode.Mpp or Mode.Melu ? reader.Bool("first_order", firstOrder) : true,
                OuterLearningRate = reader.Float("outer_lr", 1e-3f, 1e-7f, 1),
                OnlineLearningRate = mode == Mode.Mpp ? reader.Float("online_lr", 1e-3f, 1e-7f, 1) : 1e-3f,
                WeightDecay = reader.Float("weight_decay", 0f, 0, 1),
                SupportLossWeight = mode is Mode.Mpp or Mode.Melu ? reader.Float("support_loss", supportLoss, 0, 100) : 0f,
            },
            reader.Effective);
        reader.ThrowOnUnknown();
        return settings;
    }

    /// <summary>The adaptive list of pooled-finetune that fine-tunes every parameter (its default).</summary>
    public const string All = "all";

    private static string[] ParseGroups(string text, bool allowAll)
    {
        var groups = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (allowAll && groups is [All])
        {
            return groups;
        }
        var unknown = groups.Where(g => !Groups.Contains(g)).ToList();
        if (groups.Length == 0 || unknown.Count > 0)
        {
            throw new ArgumentException($"setting 'adaptive' must list some of {string.Join(", ", Groups)}; got '{text}'");
        }
        return groups;
    }
}
