// The SafeHandle that owns one native tensor reference. It also keeps the process-wide live and peak
// handle counts, which tests use to prove that a training loop does not leak tensors.
using System.Runtime.InteropServices;
using Sld.Bench.Torch.Native;

namespace Sld.Bench.Torch;

public sealed class TensorHandle : SafeHandle
{
    private static long _live;
    private static long _peak;

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        var live = Interlocked.Increment(ref _live);
        long peak;
        while (live > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, live, peak) != peak)
        {
        }
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Native tensor handles currently owned by managed code.</summary>
    public static long LiveCount => Interlocked.Read(ref _live);

    /// <summary>The highest <see cref="LiveCount"/> seen since start or the last <see cref="ResetPeak"/>.</summary>
    public static long PeakCount => Interlocked.Read(ref _peak);

    public static void ResetPeak() => Interlocked.Exchange(ref _peak, Interlocked.Read(ref _live));

    protected override bool ReleaseHandle()
    {
        NativeMethods.sldt_tensor_free(handle);
        Interlocked.Decrement(ref _live);
        return true;
    }
}
