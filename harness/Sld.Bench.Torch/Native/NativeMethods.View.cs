// P/Invoke declarations for the shim's view exports (sldt_view_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_view_view(TensorHandle t, ReadOnlySpan<long> sizes, int ndim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_reshape(TensorHandle t, ReadOnlySpan<long> sizes, int ndim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_permute(TensorHandle t, ReadOnlySpan<long> dims, int ndim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_transpose(TensorHandle t, long dim0, long dim1, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_slice(TensorHandle t, long dim, long start, long end, long step, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_select(TensorHandle t, long dim, long index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_narrow(TensorHandle t, long dim, long start, long length, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_squeeze(TensorHandle t, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_squeeze_all(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_unsqueeze(TensorHandle t, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_expand(TensorHandle t, ReadOnlySpan<long> sizes, int ndim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_flatten(TensorHandle t, long start_dim, long end_dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_unfold(TensorHandle t, long dim, long size, long step, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_repeat(TensorHandle t, ReadOnlySpan<long> repeats, int ndim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_flip(TensorHandle t, ReadOnlySpan<long> dims, int ndim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_roll(TensorHandle t, long shift, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_as_real(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_as_strided(TensorHandle t, ReadOnlySpan<long> sizes, ReadOnlySpan<long> strides, int ndim,
                                                     long storage_offset, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_index_select(TensorHandle t, long dim, TensorHandle index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_index(TensorHandle t, ReadOnlySpan<IntPtr> indices, int n, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_gather(TensorHandle t, long dim, TensorHandle index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_scatter(TensorHandle t, long dim, TensorHandle index, TensorHandle src, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_scatter_add(TensorHandle t, long dim, TensorHandle index, TensorHandle src, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_masked_fill(TensorHandle t, TensorHandle mask, double value, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_masked_select(TensorHandle t, TensorHandle mask, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_cat(ReadOnlySpan<IntPtr> ts, int n, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_stack(ReadOnlySpan<IntPtr> ts, int n, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_split(TensorHandle t, long split_size, long dim, Span<IntPtr> outs, int cap, out int n_out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_split_with_sizes(TensorHandle t, ReadOnlySpan<long> sizes, int n, long dim, Span<IntPtr> outs);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_chunk(TensorHandle t, long chunks, long dim, Span<IntPtr> outs, int cap, out int n_out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_triu(TensorHandle t, long diagonal, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_tril(TensorHandle t, long diagonal, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_nonzero(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_view_unique_consecutive(TensorHandle t, out IntPtr values, out IntPtr counts);
}
