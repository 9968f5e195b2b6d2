using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Network;

/// <summary>
/// A left-padded batch of item sequences as tensors of the current dispose scope: the most recent
/// item sits in the last column. Built on the managed side, so no tensor op builds masks.
/// </summary>
internal sealed class SequenceBatch
{
    /// <summary>Added to the attention scores where a position may not look: far below any score.</summary>
    public const float Blocked = -1e9f;

    private SequenceBatch(int size, int length, long[] items, float[] valid, float[] bias, long[] targetPositions, long[] targetItems, long[] used)
    {
        Size = size;
        Length = length;
        Items = tensor(items, [size, length]);
        Valid = tensor(valid, [size, length]);
        AttentionBias = tensor(bias, [size, 1, length, length]);
        TargetPositions = tensor(targetPositions);
        TargetItems = tensor(targetItems);
        UsedItems = tensor(used);
        TargetCount = targetItems.Length;
    }

    public int Size { get; }

    public int Length { get; }

    /// <summary>(size, length) item indices, −1 where padded.</summary>
    public Tensor Items { get; }

    /// <summary>(size, length): 1 where an item is, 0 where padded.</summary>
    public Tensor Valid { get; }

    /// <summary>(size, 1, length, length): 0 where position t may attend to position s (s ≤ t and s holds an item, or s = t), <see cref="Blocked"/> elsewhere.</summary>
    public Tensor AttentionBias { get; }

    /// <summary>(targets): flat index (row · length + column) of every position that has a next item to predict.</summary>
    public Tensor TargetPositions { get; }

    /// <summary>(targets): the item that follows each of <see cref="TargetPositions"/>.</summary>
    public Tensor TargetItems { get; }

    public int TargetCount { get; }

    /// <summary>(used): every distinct item of the batch, inputs and targets, ascending.</summary>
    public Tensor UsedItems { get; }

    /// <summary>
    /// Next-item training rows: each sequence (at least 2 items) cut to its last
    /// <paramref name="maxLength"/> + 1 items; the input is all but the last, and every input
    /// position predicts the item after it.
    /// </summary>
    public static SequenceBatch ForTraining(IReadOnlyList<int[]> sequences, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var inputs = new int[sequences.Count][];
        var targets = new int[sequences.Count][];
        for (var i = 0; i < sequences.Count; i++)
        {
            var sequence = sequences[i];
            if (sequence.Length < 2)
            {
                throw new ArgumentException($"training sequence {i} has {sequence.Length} item(s); next-item training needs 2", nameof(sequences));
            }
            var cut = sequence.Length > maxLength + 1 ? sequence[^(maxLength + 1)..] : sequence;
            inputs[i] = cut[..^1];
            targets[i] = cut[1..];
        }
        return Build(inputs, targets, maxLength);
    }

    /// <summary>Histories to score the next item after: each cut to its last <paramref name="maxLength"/> items (an empty one is a cold user).</summary>
    public static SequenceBatch ForHistories(IReadOnlyList<int[]> histories, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(histories);
        var inputs = histories.Select(h => h.Length > maxLength ? h[^maxLength..] : h).ToArray();
        return Build(inputs, null, maxLength);
    }

    private static SequenceBatch Build(int[][] inputs, int[][]? targets, int maxLength)
    {
        if (inputs.Length == 0)
        {
            throw new ArgumentException("a batch needs at least one sequence", nameof(inputs));
        }
        var size = inputs.Length;
        var length = Math.Clamp(inputs.Max(s => s.Length), 1, maxLength);
        var items = new long[size * length];
        var valid = new float[size * length];
        var bias = new float[size * length * length];
        var targetPositions = new List<long>();
        var targetItems = new List<long>();
        var used = new SortedSet<long>();
        Array.Fill(items, -1L);
        for (var row = 0; row < size; row++)
        {
            var input = inputs[row];
            var start = length - input.Length;
            for (var k = 0; k < input.Length; k++)
            {
                var flat = (row * length) + start + k;
                items[flat] = input[k];
                valid[flat] = 1;
                used.Add(input[k]);
                if (targets is not null)
                {
                    targetPositions.Add(flat);
                    targetItems.Add(targets[row][k]);
                    used.Add(targets[row][k]);
                }
            }
            for (var t = 0; t < length; t++)
            {
                for (var s = 0; s < length; s++)
                {
                    var allowed = s == t || (s < t && s >= start);
                    bias[(((row * length) + t) * length) + s] = allowed ? 0 : Blocked;
                }
            }
        }
        return new SequenceBatch(size, length, items, valid, bias, [.. targetPositions], [.. targetItems], [.. used]);
    }
}
