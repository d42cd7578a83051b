// Keeps glibc from handing freed memory straight back to the kernel. Every libtorch op allocates its result;
// above glibc's mmap threshold each allocation is a fresh mapping whose pages fault in one by one, which cost more
// than the arithmetic in two places measured here: Kaldi features (13 us per frame with the defaults, 1.6 us with
// these settings) and an ASR training step (4x the page faults of the same step in Python; the loss went from 360 ms
// to 14 ms). One call per process; later calls do nothing. Not glibc (or already tuned through MALLOC_*): nothing.
using System.Runtime.InteropServices;

namespace Sld.Bench.Tensors;

public static partial class NativeAllocator
{
    private const int TrimThreshold = -1;  // M_TRIM_THRESHOLD
    private const int MmapThreshold = -3;  // M_MMAP_THRESHOLD

    /// <summary>glibc's largest allowed mmap threshold on 64-bit systems (32 MiB).</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>Freed memory up to this much stays with the process instead of being returned (1 GiB).</summary>
    public const int TrimThresholdBytes = 1024 * 1024 * 1024;

    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>True when glibc accepted the settings (in this call or an earlier one).</summary>
    public static bool KeepFreedMemory() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null) return true; // the user chose
        try
        {
            return mallopt(MmapThreshold, MmapThresholdBytes) == 1 && mallopt(TrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl or another libc without mallopt
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
