using MetaRec.Core.Tensors;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Network;

/// <summary>
/// Head-wise cosine vector quantization into a codebook of item vectors. A vector of the hidden
/// size is split into <c>heads</c> equal slices; slice h is matched to the codebook row whose
/// slice h has the highest cosine similarity with it. So a codebook of K rows offers K choices
/// per head and K^heads combinations, and adds no parameters: MetaRec VQ's codebook is the target
/// item table.
/// </summary>
internal static class VectorQuantizer
{
    /// <summary>
    /// (rows, hidden) vectors and a (codes, hidden) codebook -> (rows, heads) int64 code of every
    /// head, without gradient; <paramref name="chunk"/> rows at a time to bound the (heads, chunk, codes) similarities.
    /// </summary>
    public static Tensor Assign(Tensor vectors, Tensor codebook, int heads, int chunk = 256)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(codebook);
        CheckHeads(vectors.shape[1], heads);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long rows = vectors.shape[0], codes = codebook.shape[0], size = vectors.shape[1] / heads;
        // (heads, size, codes): every code's head slice, unit length.
        var book = nn.functional.normalize(codebook.detach().view(codes, heads, size), dim: -1).permute(1, 2, 0);
        var parts = new List<Tensor>();
        for (long start = 0; start < rows; start += chunk)
        {
            var count = Math.Min(chunk, rows - start);
            var slices = nn.functional.normalize(vectors.detach().narrow(0, start, count).view(count, heads, size), dim: -1).transpose(0, 1);
            parts.Add(bmm(slices, book).argmax(-1).t());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A (codes, hidden) codebook and (rows, heads) codes -> (rows, hidden): each head slice replaced
    /// by its code's slice. Differentiable in the codebook.
    /// </summary>
    public static Tensor Quantize(Tensor codebook, Tensor codes, int heads)
    {
        ArgumentNullException.ThrowIfNull(codebook);
        ArgumentNullException.ThrowIfNull(codes);
        CheckHeads(codebook.shape[1], heads);
        long rows = codes.shape[0], size = codebook.shape[1] / heads;
        // Code c of head h is row c · heads + h of the codebook viewed as (codes · heads, size).
        var offsets = tensor(Enumerable.Range(0, heads).Select(h => (long)h).ToArray()).unsqueeze(0);
        var flat = codes.mul(tensor((long)heads)).add(offsets, Rooted.IndexOne).reshape(-1);
        return codebook.reshape(-1, size).index_select(0, flat).view(rows, heads * size);
    }

    /// <summary>The straight-through estimator: the value of <paramref name="quantized"/>, the gradient of <paramref name="vectors"/> (identity).</summary>
    public static Tensor StraightThrough(Tensor vectors, Tensor quantized)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(quantized);
        return vectors.add(quantized.sub(vectors).detach(), Scalars.One);
    }

    /// <summary>Codebook loss: mean squared distance from the codes to the (fixed) vectors; moves the codebook.</summary>
    public static Tensor CodebookLoss(Tensor vectors, Tensor quantized) => quantized.sub(vectors.detach()).square().sum(-1).mean();

    /// <summary>Commitment loss: mean squared distance from the vectors to their (fixed) codes; moves the vectors.</summary>
    public static Tensor CommitmentLoss(Tensor vectors, Tensor quantized) => vectors.sub(quantized.detach()).square().sum(-1).mean();

    private static void CheckHeads(long hidden, int heads)
    {
        if (heads < 1 || hidden % heads != 0)
        {
            throw new ArgumentException($"{heads} VQ heads do not divide the hidden size {hidden}");
        }
    }
}
