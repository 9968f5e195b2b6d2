using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MetaRec.Abstractions;

namespace MetaRec.Core.Ranking;

/// <summary>Which inner loop <see cref="ReluMlpTail"/> runs.</summary>
internal enum TailKernel
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>
/// The tail of a ReLU MLP whose first layer splits into an item side and a user side, run over a
/// whole catalogue: logit(i) = w3 · relu(W2ᵀ relu(S[i] + u) + b2) + b3. S[i] is item i's share of
/// the first layer, bias included, computed once per set of weights; u = x·W1u is the user's
/// share, from the user's input x (an embedding, field vectors), once per request. A request then costs the second layer only, and only for the first-layer
/// units the ReLU keeps: each item's active units are read as a bit mask and only their rows of
/// W2 are accumulated (about half of them for a trained model). One thread, no allocation per
/// item; 512-bit or 256-bit SIMD where the processor has it, scalar otherwise. Weights are copied
/// in: later changes to the caller's arrays do not reach it.
/// </summary>
public sealed class ReluMlpTail
{
    /// <summary>Second-layer outputs held in registers at once.</summary>
    private const int Group = 64;

    /// <summary>First-layer units per mask word (one 512-bit vector; two 256-bit ones).</summary>
    private const int Chunk = 16;

    private readonly float[] _itemSide; // items × stride1; padding −1, so never active
    private readonly float[] _userWeight; // inputs × stride1; padding 0
    private readonly float[] _fc2Weight; // hidden1 × stride2; padding 0
    private readonly float[] _fc2Bias; // stride2; padding 0
    private readonly float[] _outWeight; // stride2; padding 0, so padded outputs add nothing
    private readonly float _outBias;
    private readonly int _stride1;
    private readonly int _stride2;
    private readonly TailKernel _kernel;

    /// <param name="itemSide">items × hidden1, row-major: each item's first-layer pre-activation without the user's share.</param>
    /// <param name="items">Catalogue size.</param>
    /// <param name="userWeight">inputs × hidden1, row-major: the first layer's rows for the user's input.</param>
    /// <param name="fc2Weight">hidden1 × hidden2, row-major (inputs × outputs).</param>
    /// <param name="fc2Bias">hidden2.</param>
    /// <param name="outWeight">hidden2: the output layer's single column.</param>
    /// <param name="outBias">The output layer's bias.</param>
    public ReluMlpTail(ReadOnlySpan<float> itemSide, int items, ReadOnlySpan<float> userWeight, ReadOnlySpan<float> fc2Weight, ReadOnlySpan<float> fc2Bias, ReadOnlySpan<float> outWeight, float outBias)
        : this(itemSide, items, userWeight, fc2Weight, fc2Bias, outWeight, outBias, BestKernel)
    {
    }

    internal ReluMlpTail(ReadOnlySpan<float> itemSide, int items, ReadOnlySpan<float> userWeight, ReadOnlySpan<float> fc2Weight, ReadOnlySpan<float> fc2Bias, ReadOnlySpan<float> outWeight, float outBias, TailKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(items, 1);
        if (itemSide.Length == 0 || itemSide.Length % items != 0)
        {
            throw new ArgumentException($"item side has {itemSide.Length} floats, not a positive multiple of {items} items", nameof(itemSide));
        }
        Items = items;
        Hidden1 = itemSide.Length / items;
        Hidden2 = fc2Bias.Length;
        ArgumentOutOfRangeException.ThrowIfZero(Hidden2, nameof(fc2Bias));
        if (fc2Weight.Length != Hidden1 * Hidden2)
        {
            throw new ArgumentException($"fc2 weight has {fc2Weight.Length} floats; {Hidden1} × {Hidden2} expected", nameof(fc2Weight));
        }
        if (userWeight.Length == 0 || userWeight.Length % Hidden1 != 0)
        {
            throw new ArgumentException($"user weight has {userWeight.Length} floats, not a positive multiple of {Hidden1} first-layer units", nameof(userWeight));
        }
        UserInputs = userWeight.Length / Hidden1;
        if (outWeight.Length != Hidden2)
        {
            throw new ArgumentException($"output weight has {outWeight.Length} floats; {Hidden2} expected", nameof(outWeight));
        }
        _kernel = kernel;
        _stride1 = RoundUp(Hidden1, Chunk);
        _stride2 = RoundUp(Hidden2, Group);
        _itemSide = new float[(long)items * _stride1];
        Array.Fill(_itemSide, -1f);
        for (var i = 0; i < items; i++)
        {
            itemSide.Slice(i * Hidden1, Hidden1).CopyTo(_itemSide.AsSpan(i * _stride1));
        }
        _userWeight = new float[UserInputs * _stride1];
        for (var e = 0; e < UserInputs; e++)
        {
            userWeight.Slice(e * Hidden1, Hidden1).CopyTo(_userWeight.AsSpan(e * _stride1));
        }
        _fc2Weight = new float[Hidden1 * _stride2];
        for (var k = 0; k < Hidden1; k++)
        {
            fc2Weight.Slice(k * Hidden2, Hidden2).CopyTo(_fc2Weight.AsSpan(k * _stride2));
        }
        _fc2Bias = new float[_stride2];
        fc2Bias.CopyTo(_fc2Bias);
        _outWeight = new float[_stride2];
        outWeight.CopyTo(_outWeight);
        _outBias = outBias;
    }

    /// <summary>The widest kernel this processor accelerates.</summary>
    internal static TailKernel BestKernel =>
        Vector512.IsHardwareAccelerated ? TailKernel.Vector512
        : Vector256.IsHardwareAccelerated ? TailKernel.Vector256
        : TailKernel.Scalar;

    public int Items { get; }

    /// <summary>The inner loop in use: Vector512, Vector256 or Scalar.</summary>
    public string Kernel => _kernel.ToString();

    public int Hidden1 { get; }

    /// <summary>Floats in a user's input.</summary>
    public int UserInputs { get; }

    public int Hidden2 { get; }

    /// <summary>Bytes held: the padded item side and the two small layers.</summary>
    public long Bytes => sizeof(float) * ((long)_itemSide.Length + _userWeight.Length + _fc2Weight.Length + _fc2Bias.Length + _outWeight.Length);

    /// <summary>Every item's logit for the user's input <paramref name="user"/> (<see cref="UserInputs"/> floats).</summary>
    public void Logits(ReadOnlySpan<float> user, Span<float> destination)
    {
        if (destination.Length != Items)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; the catalogue has {Items} items", nameof(destination));
        }
        Span<float> padded = _stride1 <= 1024 ? stackalloc float[_stride1] : new float[_stride1];
        Span<float> scratch = _stride1 <= 1024 ? stackalloc float[_stride1] : new float[_stride1];
        UserShare(user, padded);
        for (var i = 0; i < Items; i++)
        {
            destination[i] = Logit(i, padded, scratch);
        }
    }

    /// <summary>
    /// The best <paramref name="depth"/> items by logit for the user's input <paramref name="user"/>, best first, ties to the lower row,
    /// skipping <paramref name="excluded"/> rows and NaN logits, with their click probabilities.
    /// </summary>
    public CatalogueRanking Top(ReadOnlySpan<float> user, int depth, IReadOnlySet<int>? excluded)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        Span<float> padded = _stride1 <= 1024 ? stackalloc float[_stride1] : new float[_stride1];
        Span<float> scratch = _stride1 <= 1024 ? stackalloc float[_stride1] : new float[_stride1];
        UserShare(user, padded);
        var capacity = Math.Min(depth, Items);
        var logits = ArrayPool<float>.Shared.Rent(capacity);
        var rows = ArrayPool<int>.Shared.Rent(capacity);
        try
        {
            var heap = new WorstFirstHeap(logits, rows, capacity);
            for (var i = 0; i < Items; i++)
            {
                var logit = Logit(i, padded, scratch);
                if (heap.Admits(logit) && excluded?.Contains(i) != true)
                {
                    heap.Add(logit, i);
                }
            }
            var count = heap.Count;
            var best = new CatalogueRanking(new int[count], new float[count]);
            for (var n = count - 1; n >= 0; n--)
            {
                var (logit, row) = heap.RemoveWorst();
                best.Rows[n] = row;
                best.Scores[n] = Sigmoid(logit);
            }
            return best;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(logits);
            ArrayPool<int>.Shared.Return(rows);
        }
    }

    private static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-logit));

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>u = x·W1u into <paramref name="share"/> (stride1 floats, padding 0).</summary>
    private void UserShare(ReadOnlySpan<float> user, Span<float> share)
    {
        if (user.Length != UserInputs)
        {
            throw new ArgumentException($"user input has {user.Length} floats; the first layer takes {UserInputs}", nameof(user));
        }
        share.Clear();
        for (var e = 0; e < UserInputs; e++)
        {
            var x = user[e];
            var row = _userWeight.AsSpan(e * _stride1, _stride1);
            var k = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var scale = Vector256.Create(x);
                for (; k + 8 <= _stride1; k += 8)
                {
                    Vector256.FusedMultiplyAdd(Vector256.Create(row.Slice(k, 8)), scale, Vector256.Create(share.Slice(k, 8))).CopyTo(share.Slice(k, 8));
                }
            }
            for (; k < _stride1; k++)
            {
                share[k] = MathF.FusedMultiplyAdd(row[k], x, share[k]);
            }
        }
    }

    private float Logit(int item, ReadOnlySpan<float> user, Span<float> scratch)
    {
        var row = _itemSide.AsSpan(item * _stride1, _stride1);
        return _kernel switch
        {
            TailKernel.Vector512 => Logit512(row, user, scratch),
            TailKernel.Vector256 => Logit256(row, user, scratch),
            _ => LogitScalar(row, user),
        };
    }

    private float LogitScalar(ReadOnlySpan<float> itemRow, ReadOnlySpan<float> user)
    {
        var logit = _outBias;
        for (var j = 0; j < Hidden2; j++)
        {
            var sum = _fc2Bias[j];
            for (var k = 0; k < Hidden1; k++)
            {
                var h = itemRow[k] + user[k];
                if (h > 0)
                {
                    sum += h * _fc2Weight[k * _stride2 + j];
                }
            }
            logit += MathF.Max(sum, 0) * _outWeight[j];
        }
        return logit;
    }

    private float Logit512(ReadOnlySpan<float> itemRow, ReadOnlySpan<float> user, Span<float> hidden)
    {
        ref var s = ref MemoryMarshal.GetReference(itemRow);
        ref var u = ref MemoryMarshal.GetReference(user);
        ref var h = ref MemoryMarshal.GetReference(hidden);
        ref var w2 = ref MemoryMarshal.GetArrayDataReference(_fc2Weight);
        for (nuint c = 0; c < (nuint)_stride1; c += 16)
        {
            (Vector512.LoadUnsafe(ref s, c) + Vector512.LoadUnsafe(ref u, c)).StoreUnsafe(ref h, c);
        }
        var logit = _outBias;
        for (var g = 0; g < _stride2; g += Group)
        {
            var a0 = Vector512.Create(_fc2Bias.AsSpan(g, 16));
            var a1 = Vector512.Create(_fc2Bias.AsSpan(g + 16, 16));
            var a2 = Vector512.Create(_fc2Bias.AsSpan(g + 32, 16));
            var a3 = Vector512.Create(_fc2Bias.AsSpan(g + 48, 16));
            for (var c = 0; c < _stride1; c += Chunk)
            {
                var active = Vector512.GreaterThan(Vector512.LoadUnsafe(ref h, (nuint)c), Vector512<float>.Zero).ExtractMostSignificantBits();
                while (active != 0)
                {
                    var k = c + BitOperations.TrailingZeroCount(active);
                    active &= active - 1;
                    var x = Vector512.Create(Unsafe.Add(ref h, k));
                    ref var w = ref Unsafe.Add(ref w2, k * _stride2 + g);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w), x, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 16), x, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 32), x, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, 48), x, a3);
                }
            }
            var o = Vector512.Max(a0, Vector512<float>.Zero) * Vector512.Create(_outWeight.AsSpan(g, 16));
            o = Vector512.FusedMultiplyAdd(Vector512.Max(a1, Vector512<float>.Zero), Vector512.Create(_outWeight.AsSpan(g + 16, 16)), o);
            o = Vector512.FusedMultiplyAdd(Vector512.Max(a2, Vector512<float>.Zero), Vector512.Create(_outWeight.AsSpan(g + 32, 16)), o);
            o = Vector512.FusedMultiplyAdd(Vector512.Max(a3, Vector512<float>.Zero), Vector512.Create(_outWeight.AsSpan(g + 48, 16)), o);
            logit += Vector512.Sum(o);
        }
        return logit;
    }

    private float Logit256(ReadOnlySpan<float> itemRow, ReadOnlySpan<float> user, Span<float> hidden)
    {
        ref var s = ref MemoryMarshal.GetReference(itemRow);
        ref var u = ref MemoryMarshal.GetReference(user);
        ref var h = ref MemoryMarshal.GetReference(hidden);
        ref var w2 = ref MemoryMarshal.GetArrayDataReference(_fc2Weight);
        for (nuint c = 0; c < (nuint)_stride1; c += 8)
        {
            (Vector256.LoadUnsafe(ref s, c) + Vector256.LoadUnsafe(ref u, c)).StoreUnsafe(ref h, c);
        }
        var logit = _outBias;
        for (var g = 0; g < _stride2; g += Group)
        {
            var a0 = Vector256.Create(_fc2Bias.AsSpan(g, 8));
            var a1 = Vector256.Create(_fc2Bias.AsSpan(g + 8, 8));
            var a2 = Vector256.Create(_fc2Bias.AsSpan(g + 16, 8));
            var a3 = Vector256.Create(_fc2Bias.AsSpan(g + 24, 8));
            var a4 = Vector256.Create(_fc2Bias.AsSpan(g + 32, 8));
            var a5 = Vector256.Create(_fc2Bias.AsSpan(g + 40, 8));
            var a6 = Vector256.Create(_fc2Bias.AsSpan(g + 48, 8));
            var a7 = Vector256.Create(_fc2Bias.AsSpan(g + 56, 8));
            for (var c = 0; c < _stride1; c += 8)
            {
                var active = Vector256.GreaterThan(Vector256.LoadUnsafe(ref h, (nuint)c), Vector256<float>.Zero).ExtractMostSignificantBits();
                while (active != 0)
                {
                    var k = c + BitOperations.TrailingZeroCount(active);
                    active &= active - 1;
                    var x = Vector256.Create(Unsafe.Add(ref h, k));
                    ref var w = ref Unsafe.Add(ref w2, k * _stride2 + g);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w), x, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 8), x, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 16), x, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 24), x, a3);
                    a4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 32), x, a4);
                    a5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 40), x, a5);
                    a6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 48), x, a6);
                    a7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, 56), x, a7);
                }
            }
            var zero = Vector256<float>.Zero;
            var o = Vector256.Max(a0, zero) * Vector256.Create(_outWeight.AsSpan(g, 8));
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a1, zero), Vector256.Create(_outWeight.AsSpan(g + 8, 8)), o);
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a2, zero), Vector256.Create(_outWeight.AsSpan(g + 16, 8)), o);
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a3, zero), Vector256.Create(_outWeight.AsSpan(g + 24, 8)), o);
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a4, zero), Vector256.Create(_outWeight.AsSpan(g + 32, 8)), o);
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a5, zero), Vector256.Create(_outWeight.AsSpan(g + 40, 8)), o);
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a6, zero), Vector256.Create(_outWeight.AsSpan(g + 48, 8)), o);
            o = Vector256.FusedMultiplyAdd(Vector256.Max(a7, zero), Vector256.Create(_outWeight.AsSpan(g + 56, 8)), o);
            logit += Vector256.Sum(o);
        }
        return logit;
    }
}
