namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>
/// One domain's training sequences (those with the 2 items next-item training needs) cut into
/// batches of about equal length, so little is padded: each epoch shuffles the sequences, sorts
/// them by their used length, cuts batches, and shuffles the batch order.
/// </summary>
internal sealed class DomainBatches
{
    private readonly int[][] _sequences;
    private readonly int _batchSize;
    private readonly int _maxLength;
    private readonly Random _random;
    private Queue<int[][]> _pending = new();

    public DomainBatches(IReadOnlyList<int[]> sequences, int batchSize, int maxLength, Random random)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        _sequences = [.. sequences.Where(s => s.Length >= 2)];
        if (_sequences.Length == 0)
        {
            throw new ArgumentException("no training sequence has the 2 items next-item training needs", nameof(sequences));
        }
        _batchSize = batchSize;
        _maxLength = maxLength;
        _random = random;
    }

    public int Sequences => _sequences.Length;

    public int BatchesPerEpoch => (_sequences.Length + _batchSize - 1) / _batchSize;

    /// <summary>The next batch; a new epoch starts when the last one is spent.</summary>
    public int[][] Next()
    {
        if (_pending.Count == 0)
        {
            _pending = new Queue<int[][]>(Epoch());
        }
        return _pending.Dequeue();
    }

    /// <summary>One epoch's batches, every sequence once.</summary>
    public List<int[][]> Epoch()
    {
        var order = (int[][])_sequences.Clone();
        _random.Shuffle(order);
        // Stable sort: equal lengths stay in shuffled order.
        var sorted = order.OrderBy(s => Math.Min(s.Length, _maxLength + 1)).ToArray();
        var batches = sorted.Chunk(_batchSize).ToArray();
        _random.Shuffle(batches);
        return [.. batches];
    }
}
