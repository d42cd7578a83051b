// Keeps libtorch's freed buffers in the process instead of handing them back to the kernel. With glibc's
// defaults a training step of the ASR model took ~4x more page faults in our multi-threaded .NET process than
// in Python (434K vs 159K per run of the profile), and the faults cost more than the arithmetic: the loss went
// from 360 ms to 14 ms and forward/backward by ~40% with M_MMAP_THRESHOLD = 32 MiB and M_TRIM_THRESHOLD = 1 GiB.
using System.Runtime.InteropServices;

namespace Sld.Bench.Training;

public static class NativeAllocator
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;

    /// <summary>Free heap kept before trimming (1 GiB) and the size from which blocks are mmapped (32 MiB, glibc's maximum).</summary>
    public const int TrimThreshold = 1 << 30, MmapThreshold = 32 << 20;

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);

    /// <summary>
    /// Sets both thresholds for the whole process (glibc only); returns whether they were applied. Memory a step
    /// frees stays reusable by the next step, so peak resident memory, not the step's churn, sets the footprint.
    /// </summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl): leave the allocator as it is
        }
    }
}
