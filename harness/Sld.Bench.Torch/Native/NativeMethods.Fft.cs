// P/Invoke declarations for the shim's fft exports (sldt_fft_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_fft_rfft(TensorHandle t, long n, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_fft_irfft(TensorHandle t, long n, long dim, out IntPtr @out);
}
