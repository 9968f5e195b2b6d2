namespace MetaRec.Core.Ranking;

/// <summary>
/// The best items seen so far, at most <c>capacity</c>, as a binary heap with the worst on top:
/// a lower logit is worse and, at equal logits, the higher row. Fed rows in increasing order, an
/// item tying the worst kept one is not admitted, so ties go to the lower row. Works in the
/// caller's arrays.
/// </summary>
internal struct WorstFirstHeap(float[] logits, int[] rows, int capacity)
{
    public int Count { get; private set; }

    /// <summary>Whether an item with this logit, coming after every kept row, would be kept.</summary>
    public readonly bool Admits(float logit) => !float.IsNaN(logit) && (Count < capacity || logit > logits[0]);

    /// <summary>Keeps the item, dropping the worst kept one when full; call only when <see cref="Admits"/>.</summary>
    public void Add(float logit, int row)
    {
        if (Count < capacity)
        {
            var at = Count++;
            while (at > 0)
            {
                var parent = (at - 1) / 2;
                if (!Worse(logit, row, logits[parent], rows[parent]))
                {
                    break;
                }
                logits[at] = logits[parent];
                rows[at] = rows[parent];
                at = parent;
            }
            logits[at] = logit;
            rows[at] = row;
            return;
        }
        SiftDown(logit, row);
    }

    /// <summary>Takes the worst kept item out.</summary>
    public (float Logit, int Row) RemoveWorst()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("the heap is empty");
        }
        var worst = (logits[0], rows[0]);
        Count--;
        if (Count > 0)
        {
            SiftDown(logits[Count], rows[Count]);
        }
        return worst;
    }

    private static bool Worse(float logit, int row, float otherLogit, int otherRow) =>
        logit < otherLogit || (logit == otherLogit && row > otherRow);

    /// <summary>Puts (logit, row) at the top and moves it down to its place among <see cref="Count"/> items.</summary>
    private readonly void SiftDown(float logit, int row)
    {
        var at = 0;
        while (true)
        {
            var child = 2 * at + 1;
            if (child >= Count)
            {
                break;
            }
            if (child + 1 < Count && Worse(logits[child + 1], rows[child + 1], logits[child], rows[child]))
            {
                child++;
            }
            if (!Worse(logits[child], rows[child], logit, row))
            {
                break;
            }
            logits[at] = logits[child];
            rows[at] = rows[child];
            at = child;
        }
        logits[at] = logit;
        rows[at] = row;
    }
}
