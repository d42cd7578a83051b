// Views, reshaping and indexing ops on Tensor (sldt_view_* exports).
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch;

public sealed partial class Tensor
{
    public Tensor view(params long[] shape) => Wrap(sldt_view_view(Handle, shape, shape.Length, out var r), r);

    public Tensor reshape(params long[] shape) => Wrap(sldt_view_reshape(Handle, shape, shape.Length, out var r), r);

    public Tensor permute(params long[] dims) => Wrap(sldt_view_permute(Handle, dims, dims.Length, out var r), r);

    public Tensor transpose(long dim0, long dim1) => Wrap(sldt_view_transpose(Handle, dim0, dim1, out var r), r);

    /// <summary>The matrix transpose of a 2-d tensor (PyTorch's <c>.t()</c>).</summary>
    public Tensor t() => transpose(0, 1);

    /// <summary>x[..., start:end:step, ...] along one dimension; end = long.MaxValue means "to the end".</summary>
    public Tensor slice(long dim, long start, long end = long.MaxValue, long step = 1) =>
        Wrap(sldt_view_slice(Handle, dim, start, end, step, out var r), r);

    public Tensor select(long dim, long index) => Wrap(sldt_view_select(Handle, dim, index, out var r), r);

    public Tensor narrow(long dim, long start, long length) =>
        Wrap(sldt_view_narrow(Handle, dim, start, length, out var r), r);

    public Tensor squeeze(long dim) => Wrap(sldt_view_squeeze(Handle, dim, out var r), r);

    public Tensor squeeze() => Wrap(sldt_view_squeeze_all(Handle, out var r), r);

    public Tensor unsqueeze(long dim) => Wrap(sldt_view_unsqueeze(Handle, dim, out var r), r);

    public Tensor expand(params long[] shape) => Wrap(sldt_view_expand(Handle, shape, shape.Length, out var r), r);

    public Tensor expand_as(Tensor other) => expand(other.shape);

    public Tensor flatten(long start_dim = 0, long end_dim = -1) =>
        Wrap(sldt_view_flatten(Handle, start_dim, end_dim, out var r), r);

    /// <summary>Sliding windows of <paramref name="size"/> every <paramref name="step"/> along dim (a view).</summary>
    public Tensor unfold(long dim, long size, long step) => Wrap(sldt_view_unfold(Handle, dim, size, step, out var r), r);

    public Tensor repeat(params long[] repeats) => Wrap(sldt_view_repeat(Handle, repeats, repeats.Length, out var r), r);

    public Tensor flip(params long[] dims) => Wrap(sldt_view_flip(Handle, dims, dims.Length, out var r), r);

    public Tensor roll(long shift, long dim) => Wrap(sldt_view_roll(Handle, shift, dim, out var r), r);

    /// <summary>A complex tensor viewed as real with a trailing dimension of 2 (real, imaginary).</summary>
    public Tensor view_as_real() => Wrap(sldt_view_as_real(Handle, out var r), r);

    /// <summary>
    /// A view of this tensor's storage with explicit sizes, strides and storage offset (in elements, from the
    /// start of the storage). It can alias any part of the storage, so writes through it show everywhere.
    /// </summary>
    public Tensor as_strided(long[] size, long[] stride, long storage_offset = 0)
    {
        if (size.Length != stride.Length)
            throw new ArgumentException($"as_strided got {size.Length} sizes but {stride.Length} strides");
        return Wrap(sldt_view_as_strided(Handle, size, stride, size.Length, storage_offset, out var r), r);
    }

    public Tensor index_select(long dim, Tensor index) =>
        Wrap(sldt_view_index_select(Handle, dim, index.Handle, out var r), r);

    /// <summary>Advanced indexing x[i0, i1, ...] with index tensors; null means a full slice of that dim.</summary>
    public Tensor index(params Tensor?[] indices)
    {
        Span<IntPtr> hs = stackalloc IntPtr[indices.Length];
        for (var i = 0; i < indices.Length; i++) hs[i] = HandleOrZero(indices[i]);
        var result = Wrap(sldt_view_index(Handle, hs, indices.Length, out var r), r);
        GC.KeepAlive(indices);
        return result;
    }

    public Tensor gather(long dim, Tensor index) => Wrap(sldt_view_gather(Handle, dim, index.Handle, out var r), r);

    public Tensor scatter(long dim, Tensor index, Tensor src) =>
        Wrap(sldt_view_scatter(Handle, dim, index.Handle, src.Handle, out var r), r);

    public Tensor scatter_add(long dim, Tensor index, Tensor src) =>
        Wrap(sldt_view_scatter_add(Handle, dim, index.Handle, src.Handle, out var r), r);

    public Tensor masked_fill(Tensor mask, double value) =>
        Wrap(sldt_view_masked_fill(Handle, mask.Handle, value, out var r), r);

    public Tensor masked_select(Tensor mask) => Wrap(sldt_view_masked_select(Handle, mask.Handle, out var r), r);

    public Tensor[] split(long split_size, long dim = 0)
    {
        var cap = checked((int)((size(dim) + split_size - 1) / Math.Max(split_size, 1))) + 1;
        var outs = new IntPtr[cap];
        Check(sldt_view_split(Handle, split_size, dim, outs, cap, out var n));
        return Adopt(outs, n);
    }

    public Tensor[] split(long[] sizes, long dim = 0)
    {
        var outs = new IntPtr[sizes.Length];
        Check(sldt_view_split_with_sizes(Handle, sizes, sizes.Length, dim, outs));
        return Adopt(outs, sizes.Length);
    }

    public Tensor[] chunk(long chunks, long dim = 0)
    {
        var cap = checked((int)chunks);
        var outs = new IntPtr[cap];
        Check(sldt_view_chunk(Handle, chunks, dim, outs, cap, out var n));
        return Adopt(outs, n);
    }

    private static Tensor[] Adopt(IntPtr[] handles, int n)
    {
        var result = new Tensor[n];
        for (var i = 0; i < n; i++) result[i] = new Tensor(handles[i]);
        return result;
    }

    public Tensor triu(long diagonal = 0) => Wrap(sldt_view_triu(Handle, diagonal, out var r), r);

    public Tensor tril(long diagonal = 0) => Wrap(sldt_view_tril(Handle, diagonal, out var r), r);

    /// <summary>Indices of non-zero elements, shape (n, dim).</summary>
    public Tensor nonzero() => Wrap(sldt_view_nonzero(Handle, out var r), r);

    /// <summary>Collapses runs of equal consecutive values (1-d): the values and each run's length.</summary>
    public (Tensor values, Tensor counts) unique_consecutive()
    {
        var status = sldt_view_unique_consecutive(Handle, out var v, out var c);
        return Wrap2(status, v, c);
    }

    /// <summary>PyTorch-style indexing: x[1], x[.., 2..^1], x[TensorIndex.None, ..], x[maskOrIndexTensor].</summary>
    public Tensor this[params TensorIndex[] indices] => TensorIndex.Apply(this, indices);
}
