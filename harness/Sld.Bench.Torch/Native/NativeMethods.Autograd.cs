// P/Invoke declarations for the shim's autograd exports (sldt_autograd_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static unsafe partial int sldt_autograd_set_grad_enabled(int enabled, int* previous);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_is_grad_enabled(out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_requires_grad(TensorHandle t, out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_set_requires_grad(TensorHandle t, int requires_grad);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_is_leaf(TensorHandle t, out int @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_backward(TensorHandle t, IntPtr grad, int retain_graph);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_grad(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_set_grad(TensorHandle t, IntPtr grad);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_zero_grad(ReadOnlySpan<IntPtr> @params, int n, int set_to_none);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_detach(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_autograd_retain_grad(TensorHandle t);
}
