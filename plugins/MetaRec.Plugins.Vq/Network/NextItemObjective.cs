using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Network;

/// <summary>The next-item cross-entropy of a batch, over the whole item table or over sampled negatives.</summary>
internal static class NextItemObjective
{
    private static readonly Scalar BlockedLogit = SequenceBatch.Blocked.ToScalar();

    /// <summary>
    /// (batch, length, hidden) states and an (items, hidden) table -> the mean cross-entropy of
    /// the batch's next items. <see cref="NextItemLoss.Sampled"/> scores each true item against
    /// <paramref name="negatives"/> items drawn uniformly for the whole batch (a draw that hits
    /// the true item is left out of that row), drawn from <paramref name="random"/>.
    /// </summary>
    public static Tensor Loss(Tensor hidden, SequenceBatch batch, Tensor table, NextItemLoss kind, int negatives, Generator random)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(table);
        if (batch.TargetCount == 0)
        {
            throw new ArgumentException("the batch has no next items to predict", nameof(batch));
        }
        var states = hidden.reshape(-1, hidden.shape[^1]).index_select(0, batch.TargetPositions);
        if (kind == NextItemLoss.Softmax)
        {
            return nn.functional.cross_entropy(matmul(states, table.t()), batch.TargetItems);
        }
        var drawn = randint(table.shape[0], [negatives], dtype: ScalarType.Int64, generator: random);
        var positive = states.mul(table.index_select(0, batch.TargetItems)).sum(-1, keepdim: true);
        var negative = matmul(states, table.index_select(0, drawn).t())
            .masked_fill(batch.TargetItems.unsqueeze(1).eq(drawn.unsqueeze(0)), BlockedLogit);
        var logits = cat([positive, negative], 1);
        return nn.functional.cross_entropy(logits, zeros(batch.TargetCount, dtype: ScalarType.Int64));
    }
}
