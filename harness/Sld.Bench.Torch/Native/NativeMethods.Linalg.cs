// P/Invoke declarations for the shim's linalg exports (sldt_linalg_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_linalg_matmul(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_linalg_mm(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_linalg_bmm(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_linalg_addmm(TensorHandle bias, TensorHandle a, TensorHandle b, double beta, double alpha, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_linalg_outer(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_linalg_cdist(TensorHandle a, TensorHandle b, double p, out IntPtr @out);
}
