// P/Invoke declarations for the shim's runtime exports (sldt_runtime_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_abi_version();

    [LibraryImport(Lib)]
    internal static partial IntPtr sldt_error_message();

    [LibraryImport(Lib)]
    internal static partial IntPtr sldt_error_op();

    [LibraryImport(Lib)]
    internal static partial void sldt_error_clear();

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_torch_version(out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_set_num_threads(int n);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_get_num_threads(out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_blas_num_threads(out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_set_num_interop_threads(int n);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_manual_seed(ulong seed);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_cuda_is_available(out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_cuda_device_count(out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_cuda_synchronize(int device_index);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_set_deterministic(int enabled);

    [LibraryImport(Lib)]
    internal static partial int sldt_runtime_live_tensors(out long @out);
}
