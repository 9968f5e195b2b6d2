namespace MetaRec.Abstractions;

/// <summary>Which training stage a <see cref="IRecModel.Train"/> step belongs to.</summary>
public enum TrainStage
{
    /// <summary>Offline (meta-)training on the training users: every meta-parameter learns.</summary>
    Offline,

    /// <summary>Online meta-training on newly arriving users: only the adaptive part's
    /// initialisation learns, the fixed part stays frozen. Families without an online stage throw.</summary>
    Online,
}

/// <summary>
/// A trained or training model of one family. Methods take and return managed arrays; no
/// tensor crosses this boundary. Not thread-safe for <see cref="Train"/>; <see cref="Adapt"/>
/// and <see cref="Score"/> may run concurrently once training is over.
/// </summary>
public interface IRecModel : IDisposable
{
    ModelInfo Info { get; }

    Catalogue Catalogue { get; }

    /// <summary>
    /// One optimisation step on a batch of user tasks (support and query sets both used as
    /// the family defines: a meta step adapts on support and learns from query loss; a pooled
    /// model trains on both). Returns the batch's mean training loss.
    /// </summary>
    float Train(IReadOnlyList<UserTask> batch, TrainStage stage);

    /// <summary>
    /// Per-user state from the user's support set (the query set is ignored): adapted
    /// parameters, a meta embedding, or empty for families that do not adapt. Deterministic
    /// for the same model and input.
    /// </summary>
    UserState Adapt(UserTask user);

    /// <summary>
    /// Click probabilities in [0, 1] for <paramref name="items"/>, one per item, for a user
    /// with categorical <paramref name="userFields"/> and state <paramref name="state"/>;
    /// <c>null</c> state scores a cold user with the meta-initialised model.
    /// </summary>
    float[] Score(int[] userFields, UserState? state, int[] items);

    /// <summary>Writes configuration, catalogue and weights; <see cref="IModelFamily.Load"/> reads them back.</summary>
    void Save(Stream stream);
}

/// <summary>A user's adapted state as plain floats, owned by the caller.</summary>
public sealed record UserState(float[] Values)
{
    public static UserState Empty { get; } = new([]);

    public int Bytes => Values.Length * sizeof(float);
}

/// <summary>What a model is: its family, sizes and effective configuration.</summary>
/// <param name="Family">Family name.</param>
/// <param name="TotalParameters">Every trainable scalar the model holds.</param>
/// <param name="AdaptiveParameters">Scalars adapted per user (the size of a <see cref="UserState"/>).</param>
/// <param name="Settings">Every option with its effective value.</param>
public sealed record ModelInfo(string Family, long TotalParameters, long AdaptiveParameters, IReadOnlyDictionary<string, string> Settings)
{
    public long UserStateBytes => AdaptiveParameters * sizeof(float);
}
