// Gradient checks for views, indexing, joins and splits (sldt_view_*), in-place updates applied to a clone
// (sldt_tensor_*_), TensorIndex expressions and the FFT exports, against finite differences. Ops that copy
// or route values must send each output's gradient back to exactly the element it came from (summed over
// repeats), which is what these checks pin down.
using static Sld.Bench.Torch.Tests.GradCheck;

namespace Sld.Bench.Torch.Tests;

public class GradCheckViewTests
{
    [Fact]
    public void ViewReshapeFlatten()
    {
        using var scope = torch.NewDisposeScope();
        Verify("view", xs => xs[0].view(4, -1), Rand(1, 2, 3, 2));
        Verify("reshape of a non-contiguous tensor", xs => xs[0].transpose(0, 1).reshape(-1), Rand(2, 3, 4));
        Verify("flatten", xs => xs[0].flatten(1, 2), Rand(3, 2, 3, 2));
        Verify("contiguous", xs => xs[0].t().contiguous(), Rand(4, 3, 4));
        Verify("clone", xs => xs[0].clone(), Rand(5, 3));
    }

    [Fact]
    public void PermuteTransposeT()
    {
        using var scope = torch.NewDisposeScope();
        Verify("permute", xs => xs[0].permute(2, 0, 1), Rand(1, 2, 3, 4));
        Verify("transpose", xs => xs[0].transpose(-1, 0), Rand(2, 2, 3, 4));
        Verify("t", xs => xs[0].t(), Rand(3, 3, 4));
    }

    [Fact]
    public void SliceSelectNarrow()
    {
        using var scope = torch.NewDisposeScope();
        Verify("slice step 2", xs => xs[0].slice(1, 1, 6, 2), Rand(1, 3, 7));
        Verify("slice negative start to end", xs => xs[0].slice(0, -2), Rand(2, 4, 3));
        Verify("select negative index", xs => xs[0].select(1, -1), Rand(3, 3, 4));
        Verify("narrow", xs => xs[0].narrow(0, 1, 2), Rand(4, 4, 3));
    }

    [Fact]
    public void SqueezeUnsqueezeExpand()
    {
        using var scope = torch.NewDisposeScope();
        Verify("squeeze dim", xs => xs[0].squeeze(1), Rand(1, 3, 1, 4));
        Verify("squeeze all", xs => xs[0].squeeze(), Rand(2, 1, 3, 1, 4));
        Verify("unsqueeze", xs => xs[0].unsqueeze(-1), Rand(3, 3, 4));
        // An expanded input is read several times, so its gradient is a sum over the broadcast copies.
        Verify("expand", xs => xs[0].expand(2, 3, 4), Rand(4, 3, 1));
        Verify("expand_as", xs => xs[0].expand_as(xs[1]) * xs[1], Rand(5, 4), Rand(6, 3, 4));
    }

    [Fact]
    public void UnfoldRepeatFlipRoll()
    {
        using var scope = torch.NewDisposeScope();
        Verify("unfold overlapping windows", xs => xs[0].unfold(1, 3, 2), Rand(1, 2, 7));
        Verify("repeat", xs => xs[0].repeat(2, 1, 3), Rand(2, 2, 3));
        Verify("flip", xs => xs[0].flip(0, 2), Rand(3, 2, 3, 4));
        Verify("roll", xs => xs[0].roll(-2, 1), Rand(4, 2, 5));
    }

    [Fact]
    public void IndexSelectAndAdvancedIndex()
    {
        using var scope = torch.NewDisposeScope();
        Verify("index_select repeated", xs => xs[0].index_select(1, Longs([3, 0, 3, 1])), Rand(1, 2, 4));
        Verify("index two tensors", xs => xs[0].index(Longs([0, 2, 2]), Longs([1, 1, 3])), Rand(2, 3, 4));
        Verify("index null then tensor", xs => xs[0].index(null, Longs([2, 0, 2], 3)), Rand(3, 2, 3, 2));
        Verify("index bool mask", xs => xs[0].index(Bools([true, false, true, true, false, false], 2, 3)), Rand(4, 2, 3, 2));
    }

    [Fact]
    public void GatherScatterScatterAdd()
    {
        using var scope = torch.NewDisposeScope();
        Verify("gather", xs => xs[0].gather(1, Longs([0, 2, 1, 1, 1, 0, 3, 0, 0], 3, 3)), Rand(1, 3, 4));
        // scatter writes each (row, column) at most once, so both gradients are well defined.
        var distinct = Longs([0, 2, 1, 0, 2, 1, 0, 1], 2, 4);
        Verify("scatter", xs => xs[0].scatter(0, distinct, xs[1]), Rand(2, 3, 4), Rand(3, 2, 4));
        var repeated = Longs([0, 0, 1, 2, 0, 2, 2, 2], 2, 4);
        Verify("scatter_add", xs => xs[0].scatter_add(0, repeated, xs[1]), Rand(4, 3, 4), Rand(5, 2, 4));
    }

    [Fact]
    public void MaskedFillAndMaskedSelect()
    {
        using var scope = torch.NewDisposeScope();
        var mask = Bools([true, false, false, true, false, true, true, false], 2, 4);
        Verify("masked_fill", xs => xs[0].masked_fill(mask, -3), Rand(1, 2, 4));
        Verify("masked_fill broadcast mask", xs => xs[0].masked_fill(Bools([false, true, true, false]), 2), Rand(2, 3, 4));
        Verify("masked_select", xs => xs[0].masked_select(mask), Rand(3, 2, 4));
    }

    [Fact]
    public void CatAndStack()
    {
        using var scope = torch.NewDisposeScope();
        Verify("cat", xs => torch.cat(xs, 1), Rand(1, 2, 1), Rand(2, 2, 3), Rand(3, 2, 2));
        Verify("stack", xs => torch.stack(xs, 1), Rand(4, 2, 3), Rand(5, 2, 3));
    }

    [Fact]
    public void SplitAndChunk()
    {
        using var scope = torch.NewDisposeScope();
        // Scaling each piece by its position makes the gradient depend on which piece an element landed in.
        static Tensor Rejoin(Tensor[] pieces, long dim) => torch.cat(pieces.Select((p, k) => p * (k + 1)).ToList(), dim);
        Verify("split uneven", xs => Rejoin(xs[0].split(2, 1), 1), Rand(1, 2, 5));
        Verify("split_with_sizes", xs => Rejoin(xs[0].split([1, 3, 1], 0), 0), Rand(2, 5, 2));
        Verify("chunk", xs => Rejoin(xs[0].chunk(3), 0), Rand(3, 5, 2));
    }

    [Fact]
    public void TriuTril()
    {
        using var scope = torch.NewDisposeScope();
        Verify("triu", xs => xs[0].triu(1), Rand(1, 4, 4));
        Verify("tril", xs => xs[0].tril(-1), Rand(2, 2, 3, 4));
    }

    [Fact]
    public void TensorIndexExpressions()
    {
        using var scope = torch.NewDisposeScope();
        Verify("x[1, .., 1..^1]", xs => xs[0][1, TensorIndex.Ellipsis, 1..^1], Rand(1, 3, 4, 5));
        Verify("x[None, .., 2]", xs => xs[0][TensorIndex.None, TensorIndex.Ellipsis, 2], Rand(2, 3, 4, 5));
        Verify("x[.., ::2]", xs => xs[0][.., TensorIndex.Slice(.., 2)], Rand(3, 3, 5));
        Verify("x[.., index]", xs => xs[0][.., Longs([2, 0, 2])], Rand(4, 2, 3));
        Verify("x[mask]", xs => xs[0][Bools([true, false, true, true, false, true], 2, 3)], Rand(5, 2, 3, 2));
    }

    // ---- in-place updates on a clone (the clone is not a leaf, so autograd records them) ----

    [Fact]
    public void IndexPutOnAClone()
    {
        using var scope = torch.NewDisposeScope();
        Verify("index_put_", xs => xs[0].clone().index_put_([Longs([2, 0])], xs[1]), Rand(1, 3, 4), Rand(2, 2, 4));
        Verify("index_put_ accumulate", xs => xs[0].clone().index_put_([Longs([1, 1, 0]), Longs([3, 3, 2])], xs[1], accumulate: true),
            Rand(3, 2, 4), Rand(4, 3));
        Verify("index_put_ null slot", xs => xs[0].clone().index_put_([null, Longs([0, 2])], xs[1]), Rand(5, 2, 3), Rand(6, 2, 2));
    }

    [Fact]
    public void InPlaceArithmeticOnAClone()
    {
        using var scope = torch.NewDisposeScope();
        Verify("add_", xs => xs[0].clone().add_(xs[1], -0.5), Rand(1, 2, 3), Rand(2, 3));
        Verify("mul_", xs => xs[0].clone().mul_(3), Rand(3, 2, 3));
        Verify("masked_fill_", xs => xs[0].clone().masked_fill_(Bools([true, false, true]), 7), Rand(4, 2, 3));
    }

    [Fact]
    public void InPlaceWritesIntoAViewOfAClone()
    {
        using var scope = torch.NewDisposeScope();
        Verify("copy_ into a view", xs =>
        {
            var c = xs[0].clone();
            c.narrow(1, 1, 2).copy_(xs[1]);
            return c;
        }, Rand(1, 3, 4), Rand(2, 3, 2));
        Verify("fill_ and zero_ of views", xs =>
        {
            var c = xs[0].clone();
            c.select(0, 0).fill_(4);
            c.narrow(1, 2, 1).zero_();
            return c;
        }, Rand(3, 3, 4));
    }

    // ---- FFT ----

    [Fact]
    public void RfftAsReal()
    {
        using var scope = torch.NewDisposeScope();
        Verify("rfft", xs => torch.fft.rfft(xs[0]).view_as_real(), Rand(1, 2, 8));
        Verify("rfft odd length zero-padded dim 0", xs => torch.fft.rfft(xs[0], 7, 0).view_as_real(), Rand(2, 5, 2));
    }

    [Fact]
    public void IrfftOfAProductIsCircularConvolution()
    {
        using var scope = torch.NewDisposeScope();
        // irfft needs a complex input; a product of two spectra gives one that depends on two real inputs.
        Verify("irfft", xs => torch.fft.irfft(torch.fft.rfft(xs[0]).mul(torch.fft.rfft(xs[1])), 8), Rand(1, 8), Rand(2, 8));
        Verify("irfft odd n", xs => torch.fft.irfft(torch.fft.rfft(xs[0]).mul(torch.fft.rfft(xs[1])), 7), Rand(3, 2, 7), Rand(4, 7));
    }
}
