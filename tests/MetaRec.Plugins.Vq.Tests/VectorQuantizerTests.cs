using MetaRec.Core.Tensors;
using MetaRec.Plugins.Vq.Network;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Tests;

public sealed class VectorQuantizerTests
{
    public VectorQuantizerTests() => TorchRuntime.EnsureInitialized();

    // Four codes of hidden size 4, two heads of 2: head 0 is columns 0-1, head 1 columns 2-3.
    private static readonly float[] Book =
    [
        1, 0, 0, 1,
        0, 1, 1, 0,
        -1, 0, 5, 5,
        3, 3, 0, -1,
    ];

    [Fact]
    public void Each_head_takes_the_code_with_the_highest_cosine_whatever_the_lengths()
    {
        using var scope = NewDisposeScope();
        var codebook = tensor(Book, [4, 4]);
        // Row 0, head 0 (4, 0.5): nearest in angle to code 0's (1, 0) (cos .99 against .79), nearest in
        // distance to code 3's (3, 3) (7.25 against 9.25); head 1 (0.2, 0.2): code 2's (5, 5) by angle,
        // though (0, 1) and (1, 0) are far closer. Row 1: (0.1, 0.1) -> code 3, (2, 0) -> code 1.
        var vectors = tensor(new float[]
        {
            4, 0.5f, 0.2f, 0.2f,
            0.1f, 0.1f, 2, 0,
        }, [2, 4]);

        var codes = VectorQuantizer.Assign(vectors, codebook, heads: 2);

        Assert.Equal([2L, 2], codes.shape);
        Assert.Equal([0L, 2, 3, 1], codes.data<long>().ToArray());
        // One head compares whole vectors: row 0 is then nearest in angle to code 3 (cos .755 against .735 for code 0).
        Assert.Equal([3L, 1], VectorQuantizer.Assign(vectors, codebook, heads: 1).data<long>().ToArray());
    }

    [Fact]
    public void Quantize_puts_each_head_slice_of_its_code_in_place()
    {
        using var scope = NewDisposeScope();
        var codebook = tensor(Book, [4, 4]);
        var codes = tensor(new long[] { 0, 2, 3, 1 }, [2, 2]);

        var quantized = VectorQuantizer.Quantize(codebook, codes, heads: 2);

        // Row 0: head 0 of code 0 (1, 0), head 1 of code 2 (5, 5); row 1: code 3's (3, 3), code 1's (1, 0).
        Assert.Equal([1f, 0, 5, 5, 3, 3, 1, 0], quantized.data<float>().ToArray());
    }

    [Fact]
    public void Straight_through_forwards_the_codes_and_passes_the_gradient_to_the_vectors_not_the_codebook()
    {
        using var scope = NewDisposeScope();
        var codebook = tensor(Book, [4, 4]).requires_grad_(true);
        var vectors = tensor(new float[] { 4, 0.5f, 0.2f, 0.2f, 0.1f, 0.1f, 2, 0 }, [2, 4]).requires_grad_(true);
        var quantized = VectorQuantizer.Quantize(codebook, VectorQuantizer.Assign(vectors, codebook, 2), 2);
        var through = VectorQuantizer.StraightThrough(vectors, quantized);
        var weights = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 4]);

        through.mul(weights).sum().backward();

        Assert.Equal(quantized.data<float>().ToArray(), through.data<float>().ToArray());
        Assert.Equal(weights.data<float>().ToArray(), vectors.grad!.data<float>().ToArray());
        Assert.All(codebook.grad?.data<float>().ToArray() ?? [], g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Codebook_loss_moves_only_the_codebook_and_commitment_only_the_vectors()
    {
        using var scope = NewDisposeScope();
        var codebook = tensor(Book, [4, 4]).requires_grad_(true);
        var vectors = tensor(new float[] { 4, 0.5f, 0.2f, 0.2f, 0.1f, 0.1f, 2, 0 }, [2, 4]).requires_grad_(true);
        var quantized = VectorQuantizer.Quantize(codebook, VectorQuantizer.Assign(vectors, codebook, 2), 2);

        VectorQuantizer.CodebookLoss(vectors, quantized).backward();
        Assert.Null(vectors.grad);
        // Code 0's head 0 was used by row 0: d/dq mean_rows ‖q − e‖² = (q − e) for 2 rows -> (1 − 4, 0 − 0.5).
        var g = codebook.grad!.data<float>().ToArray();
        Assert.Equal(1f - 4f, g[0], 5);
        Assert.Equal(0f - 0.5f, g[1], 5);
        Assert.Equal(0f, g[2]); // code 0's head 1 was nobody's

        codebook.grad!.zero_();
        VectorQuantizer.CommitmentLoss(vectors, quantized).backward();
        Assert.All(codebook.grad!.data<float>().ToArray(), x => Assert.Equal(0f, x));
        Assert.Equal(4f - 1f, vectors.grad!.data<float>()[0], 5);
    }

    [Fact]
    public void Heads_that_do_not_divide_the_hidden_size_are_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => VectorQuantizer.Assign(zeros(2, 4), zeros(3, 4), heads: 3));
    }
}
