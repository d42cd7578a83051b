// P/Invoke declarations for the shim's tensor exports (sldt_tensor_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial void sldt_tensor_free(IntPtr t);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_alias(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_defined(TensorHandle t, out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_dim(TensorHandle t, out long @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_sizes(TensorHandle t, Span<long> @out, int cap);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_strides(TensorHandle t, Span<long> @out, int cap);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_numel(TensorHandle t, out long @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_dtype(TensorHandle t, out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_device(TensorHandle t, out int type, out int index);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_is_contiguous(TensorHandle t, out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_data_ptr(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_storage_offset(TensorHandle t, out long @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_item_double(TensorHandle t, out double @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_item_int64(TensorHandle t, out long @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_to_string(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static unsafe partial int sldt_tensor_from_buffer(void* data, long nbytes, ReadOnlySpan<long> sizes, int ndim, int dtype, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static unsafe partial int sldt_tensor_copy_to_buffer(TensorHandle t, void* data, long nbytes);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_to_dtype(TensorHandle t, int dtype, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_to_device(TensorHandle t, int device_type, int device_index, int non_blocking, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_clone(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_contiguous(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_set_data(TensorHandle t, TensorHandle data);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_copy_(TensorHandle t, TensorHandle src);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_fill_(TensorHandle t, double value);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_zero_(TensorHandle t);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_normal_(TensorHandle t, double mean, double std);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_uniform_(TensorHandle t, double from, double to);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_add_(TensorHandle t, TensorHandle other, double alpha);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_mul_(TensorHandle t, TensorHandle other);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_mul_scalar_(TensorHandle t, double value);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_masked_fill_(TensorHandle t, TensorHandle mask, double value);

    [LibraryImport(Lib)]
    internal static partial int sldt_tensor_index_put_(TensorHandle t, ReadOnlySpan<IntPtr> indices, int n, TensorHandle values, int accumulate);
}
