// P/Invoke declarations for the shim's create exports (sldt_create_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_create_empty(ReadOnlySpan<long> sizes, int ndim, int dtype, int dev, int dev_index, int requires_grad, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_zeros(ReadOnlySpan<long> sizes, int ndim, int dtype, int dev, int dev_index, int requires_grad, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_ones(ReadOnlySpan<long> sizes, int ndim, int dtype, int dev, int dev_index, int requires_grad, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_full(ReadOnlySpan<long> sizes, int ndim, double value, int dtype, int dev, int dev_index, int requires_grad, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_arange(double start, double end, double step, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_linspace(double start, double end, long steps, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_eye(long n, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_randn(ReadOnlySpan<long> sizes, int ndim, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_rand(ReadOnlySpan<long> sizes, int ndim, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_randint(long low, long high, ReadOnlySpan<long> sizes, int ndim, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_randperm(long n, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_hann_window(long length, int periodic, int dtype, int dev, int dev_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_create_hamming_window(long length, int periodic, double alpha, double beta, int dtype, int dev, int dev_index, out IntPtr @out);
}
