namespace MetaRec.Abstractions;

/// <summary>
/// One next-item case: a user's history (item indices in time order) and the item that followed it.
/// </summary>
public sealed record NextItemCase(int[] History, int Target);

/// <summary>
/// A model that ranks a user's next item from their sequence. Its <see cref="UserState"/> is the
/// user's recent sequence (<see cref="IRecModel.Adapt"/> reads it from the support set), so it
/// serves through the same path as every family.
/// </summary>
public interface ISequentialModel : IRecModel
{
    /// <summary>The longest history the model reads; a longer one is cut to its most recent items.</summary>
    int MaxLength { get; }

    /// <summary>
    /// Next-item scores of every catalogue item after each history: row-major
    /// (histories × ItemCount) logits, higher = more likely. An empty history scores a cold user.
    /// </summary>
    float[] ScoreNext(IReadOnlyList<int[]> histories);
}
