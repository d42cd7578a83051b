// P/Invoke declarations for the shim's reduce exports (sldt_reduce_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_sum(TensorHandle t, ReadOnlySpan<long> dims, int ndim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_mean(TensorHandle t, ReadOnlySpan<long> dims, int ndim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_var(TensorHandle t, ReadOnlySpan<long> dims, int ndim, int unbiased, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_std(TensorHandle t, ReadOnlySpan<long> dims, int ndim, int unbiased, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_prod(TensorHandle t, long dim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_norm(TensorHandle t, double p, ReadOnlySpan<long> dims, int ndim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_logsumexp(TensorHandle t, ReadOnlySpan<long> dims, int ndim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_max_all(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_min_all(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_max(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_min(TensorHandle t, long dim, int keepdim, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_argmax(TensorHandle t, long dim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_argmin(TensorHandle t, long dim, int keepdim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_topk(TensorHandle t, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_sort(TensorHandle t, long dim, int descending, int stable, out IntPtr values, out IntPtr indices);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_cumsum(TensorHandle t, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_all(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_any(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_reduce_bincount(TensorHandle t, IntPtr weights, long minlength, out IntPtr @out);
}
