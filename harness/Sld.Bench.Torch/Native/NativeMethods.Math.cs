// P/Invoke declarations for the shim's math exports (sldt_math_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_math_add(TensorHandle a, TensorHandle b, double alpha, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_sub(TensorHandle a, TensorHandle b, double alpha, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_mul(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_div(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_floor_divide(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_remainder(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_pow(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_maximum(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_minimum(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_atan2(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_eq(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_ne(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_lt(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_le(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_gt(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_ge(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_logical_and(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_logical_or(TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_where(TensorHandle cond, TensorHandle a, TensorHandle b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_lerp(TensorHandle a, TensorHandle b, double weight, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_add_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_mul_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_div_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_rsub_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_pow_scalar(TensorHandle a, double exponent, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_remainder_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_eq_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_ne_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_lt_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_le_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_gt_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_ge_scalar(TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_clamp(TensorHandle a, int has_min, double lo, int has_max, double hi, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_where_scalar(TensorHandle cond, TensorHandle a, double b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_neg(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_abs(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_exp(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_log(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_log10(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_log1p(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_expm1(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_sqrt(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_rsqrt(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_square(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_reciprocal(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_sin(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_cos(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_tanh(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_sigmoid(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_erf(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_floor(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_ceil(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_round(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_sign(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_logical_not(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_isnan(TensorHandle a, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_math_isfinite(TensorHandle a, out IntPtr @out);
}
