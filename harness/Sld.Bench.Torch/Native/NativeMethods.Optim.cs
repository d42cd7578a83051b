// P/Invoke declarations for the shim's optim exports (sldt_optim_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_optim_adamw_step(ReadOnlySpan<IntPtr> @params, ReadOnlySpan<IntPtr> exp_avg, ReadOnlySpan<IntPtr> exp_avg_sq, int n, double lr, double beta1, double beta2, double eps, double weight_decay, long step);

    [LibraryImport(Lib)]
    internal static partial int sldt_optim_sgd_step(ReadOnlySpan<IntPtr> @params, ReadOnlySpan<IntPtr> momentum_buf, int n, double lr, double momentum, double weight_decay);

    [LibraryImport(Lib)]
    internal static partial int sldt_optim_clip_grad_norm(ReadOnlySpan<IntPtr> @params, int n, double max_norm, double norm_type, out double total_norm);
}
