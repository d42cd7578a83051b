// Elementwise math, comparisons and linear algebra on Tensor (sldt_math_*, sldt_linalg_*, sldt_fft_*).
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch;

public sealed partial class Tensor
{
    // ---- binary, tensor-tensor ----
    public Tensor add(Tensor other, double alpha = 1) => Wrap(sldt_math_add(Handle, other.Handle, alpha, out var r), r);
    public Tensor sub(Tensor other, double alpha = 1) => Wrap(sldt_math_sub(Handle, other.Handle, alpha, out var r), r);
    public Tensor mul(Tensor other) => Wrap(sldt_math_mul(Handle, other.Handle, out var r), r);
    public Tensor div(Tensor other) => Wrap(sldt_math_div(Handle, other.Handle, out var r), r);
    public Tensor floor_divide(Tensor other) => Wrap(sldt_math_floor_divide(Handle, other.Handle, out var r), r);
    public Tensor remainder(Tensor other) => Wrap(sldt_math_remainder(Handle, other.Handle, out var r), r);
    public Tensor pow(Tensor exponent) => Wrap(sldt_math_pow(Handle, exponent.Handle, out var r), r);
    public Tensor maximum(Tensor other) => Wrap(sldt_math_maximum(Handle, other.Handle, out var r), r);
    public Tensor minimum(Tensor other) => Wrap(sldt_math_minimum(Handle, other.Handle, out var r), r);
    public Tensor atan2(Tensor other) => Wrap(sldt_math_atan2(Handle, other.Handle, out var r), r);
    public Tensor eq(Tensor other) => Wrap(sldt_math_eq(Handle, other.Handle, out var r), r);
    public Tensor ne(Tensor other) => Wrap(sldt_math_ne(Handle, other.Handle, out var r), r);
    public Tensor lt(Tensor other) => Wrap(sldt_math_lt(Handle, other.Handle, out var r), r);
    public Tensor le(Tensor other) => Wrap(sldt_math_le(Handle, other.Handle, out var r), r);
    public Tensor gt(Tensor other) => Wrap(sldt_math_gt(Handle, other.Handle, out var r), r);
    public Tensor ge(Tensor other) => Wrap(sldt_math_ge(Handle, other.Handle, out var r), r);
    public Tensor logical_and(Tensor other) => Wrap(sldt_math_logical_and(Handle, other.Handle, out var r), r);
    public Tensor logical_or(Tensor other) => Wrap(sldt_math_logical_or(Handle, other.Handle, out var r), r);
    public Tensor lerp(Tensor end, double weight) => Wrap(sldt_math_lerp(Handle, end.Handle, weight, out var r), r);

    // ---- binary, tensor-scalar ----
    public Tensor add(double other) => Wrap(sldt_math_add_scalar(Handle, other, out var r), r);
    public Tensor sub(double other) => Wrap(sldt_math_add_scalar(Handle, -other, out var r), r);
    public Tensor mul(double other) => Wrap(sldt_math_mul_scalar(Handle, other, out var r), r);
    public Tensor div(double other) => Wrap(sldt_math_div_scalar(Handle, other, out var r), r);
    /// <summary>other - this.</summary>
    public Tensor rsub(double other) => Wrap(sldt_math_rsub_scalar(Handle, other, out var r), r);
    public Tensor pow(double exponent) => Wrap(sldt_math_pow_scalar(Handle, exponent, out var r), r);
    public Tensor remainder(double other) => Wrap(sldt_math_remainder_scalar(Handle, other, out var r), r);
    public Tensor eq(double other) => Wrap(sldt_math_eq_scalar(Handle, other, out var r), r);
    public Tensor ne(double other) => Wrap(sldt_math_ne_scalar(Handle, other, out var r), r);
    public Tensor lt(double other) => Wrap(sldt_math_lt_scalar(Handle, other, out var r), r);
    public Tensor le(double other) => Wrap(sldt_math_le_scalar(Handle, other, out var r), r);
    public Tensor gt(double other) => Wrap(sldt_math_gt_scalar(Handle, other, out var r), r);
    public Tensor ge(double other) => Wrap(sldt_math_ge_scalar(Handle, other, out var r), r);

    public Tensor clamp(double? min = null, double? max = null) =>
        Wrap(sldt_math_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0, out var r), r);

    public Tensor clamp_min(double min) => clamp(min: min);
    public Tensor clamp_max(double max) => clamp(max: max);

    // ---- unary ----
    public Tensor neg() => Wrap(sldt_math_neg(Handle, out var r), r);
    public Tensor abs() => Wrap(sldt_math_abs(Handle, out var r), r);
    public Tensor exp() => Wrap(sldt_math_exp(Handle, out var r), r);
    public Tensor log() => Wrap(sldt_math_log(Handle, out var r), r);
    public Tensor log10() => Wrap(sldt_math_log10(Handle, out var r), r);
    public Tensor log1p() => Wrap(sldt_math_log1p(Handle, out var r), r);
    public Tensor expm1() => Wrap(sldt_math_expm1(Handle, out var r), r);
    public Tensor sqrt() => Wrap(sldt_math_sqrt(Handle, out var r), r);
    public Tensor rsqrt() => Wrap(sldt_math_rsqrt(Handle, out var r), r);
    public Tensor square() => Wrap(sldt_math_square(Handle, out var r), r);
    public Tensor reciprocal() => Wrap(sldt_math_reciprocal(Handle, out var r), r);
    public Tensor sin() => Wrap(sldt_math_sin(Handle, out var r), r);
    public Tensor cos() => Wrap(sldt_math_cos(Handle, out var r), r);
    public Tensor tanh() => Wrap(sldt_math_tanh(Handle, out var r), r);
    public Tensor sigmoid() => Wrap(sldt_math_sigmoid(Handle, out var r), r);
    public Tensor erf() => Wrap(sldt_math_erf(Handle, out var r), r);
    public Tensor floor() => Wrap(sldt_math_floor(Handle, out var r), r);
    public Tensor ceil() => Wrap(sldt_math_ceil(Handle, out var r), r);
    public Tensor round() => Wrap(sldt_math_round(Handle, out var r), r);
    public Tensor sign() => Wrap(sldt_math_sign(Handle, out var r), r);
    public Tensor logical_not() => Wrap(sldt_math_logical_not(Handle, out var r), r);
    public Tensor isnan() => Wrap(sldt_math_isnan(Handle, out var r), r);
    public Tensor isfinite() => Wrap(sldt_math_isfinite(Handle, out var r), r);
    public Tensor relu() => Wrap(sldt_nn_relu(Handle, out var r), r);
    public Tensor softmax(long dim) => Wrap(sldt_nn_softmax(Handle, dim, out var r), r);
    public Tensor log_softmax(long dim) => Wrap(sldt_nn_log_softmax(Handle, dim, out var r), r);

    // ---- linear algebra ----
    public Tensor matmul(Tensor other) => Wrap(sldt_linalg_matmul(Handle, other.Handle, out var r), r);
    public Tensor mm(Tensor other) => Wrap(sldt_linalg_mm(Handle, other.Handle, out var r), r);
    public Tensor bmm(Tensor other) => Wrap(sldt_linalg_bmm(Handle, other.Handle, out var r), r);
    public Tensor outer(Tensor other) => Wrap(sldt_linalg_outer(Handle, other.Handle, out var r), r);
}
