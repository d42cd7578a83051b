// Elementwise math and linear algebra exports. The macros keep one export per op without repeating the
// same five lines sixty times; each expands to an ordinary extern "C" function named in sldtorch.h.
#include "shim.h"

using sldt::T;
using sldt::wrap;

#define SLDT_BINARY(name, expr)                                                   \
    sldt_status sldt_math_##name(sldt_tensor a_, sldt_tensor b_, sldt_tensor* out) { \
        SLDT_BEGIN const auto& a = T(a_);                                         \
        const auto& b = T(b_);                                                    \
        *out = wrap(expr);                                                        \
        SLDT_END                                                                  \
    }

#define SLDT_SCALAR(name, expr)                                              \
    sldt_status sldt_math_##name(sldt_tensor a_, double b, sldt_tensor* out) { \
        SLDT_BEGIN const auto& a = T(a_);                                    \
        *out = wrap(expr);                                                   \
        SLDT_END                                                             \
    }

#define SLDT_UNARY(name, expr)                                     \
    sldt_status sldt_math_##name(sldt_tensor a_, sldt_tensor* out) { \
        SLDT_BEGIN const auto& a = T(a_);                          \
        *out = wrap(expr);                                         \
        SLDT_END                                                   \
    }

extern "C" {

sldt_status sldt_math_add(sldt_tensor a, sldt_tensor b, double alpha, sldt_tensor* out) {
    SLDT_RETURN(at::add(T(a), T(b), sldt::scalar(alpha)))
}

sldt_status sldt_math_sub(sldt_tensor a, sldt_tensor b, double alpha, sldt_tensor* out) {
    SLDT_RETURN(at::sub(T(a), T(b), sldt::scalar(alpha)))
}

SLDT_BINARY(mul, at::mul(a, b))
SLDT_BINARY(div, at::div(a, b))
SLDT_BINARY(floor_divide, at::div(a, b, "floor"))
SLDT_BINARY(remainder, at::remainder(a, b))
SLDT_BINARY(pow, at::pow(a, b))
SLDT_BINARY(maximum, at::maximum(a, b))
SLDT_BINARY(minimum, at::minimum(a, b))
SLDT_BINARY(atan2, at::atan2(a, b))
SLDT_BINARY(eq, at::eq(a, b))
SLDT_BINARY(ne, at::ne(a, b))
SLDT_BINARY(lt, at::lt(a, b))
SLDT_BINARY(le, at::le(a, b))
SLDT_BINARY(gt, at::gt(a, b))
SLDT_BINARY(ge, at::ge(a, b))
SLDT_BINARY(logical_and, at::logical_and(a, b))
SLDT_BINARY(logical_or, at::logical_or(a, b))

sldt_status sldt_math_where(sldt_tensor cond, sldt_tensor a, sldt_tensor b, sldt_tensor* out) {
    SLDT_RETURN(at::where(T(cond), T(a), T(b)))
}

sldt_status sldt_math_lerp(sldt_tensor a, sldt_tensor b, double weight, sldt_tensor* out) {
    SLDT_RETURN(at::lerp(T(a), T(b), weight))
}

SLDT_SCALAR(add_scalar, at::add(a, sldt::scalar(b)))
SLDT_SCALAR(mul_scalar, at::mul(a, sldt::scalar(b)))
SLDT_SCALAR(div_scalar, at::div(a, sldt::scalar(b)))
SLDT_SCALAR(rsub_scalar, at::rsub(a, sldt::scalar(b)))
SLDT_SCALAR(pow_scalar, at::pow(a, sldt::scalar(b)))
SLDT_SCALAR(remainder_scalar, at::remainder(a, sldt::scalar(b)))
SLDT_SCALAR(eq_scalar, at::eq(a, b))
SLDT_SCALAR(ne_scalar, at::ne(a, b))
SLDT_SCALAR(lt_scalar, at::lt(a, b))
SLDT_SCALAR(le_scalar, at::le(a, b))
SLDT_SCALAR(gt_scalar, at::gt(a, b))
SLDT_SCALAR(ge_scalar, at::ge(a, b))

sldt_status sldt_math_clamp(sldt_tensor a, int32_t has_min, double lo, int32_t has_max, double hi, sldt_tensor* out) {
    SLDT_BEGIN
    if (has_min == 0 && has_max == 0) throw std::invalid_argument("clamp needs at least one bound");
    c10::optional<at::Scalar> min_v = has_min != 0 ? c10::optional<at::Scalar>(sldt::scalar(lo)) : c10::nullopt;
    c10::optional<at::Scalar> max_v = has_max != 0 ? c10::optional<at::Scalar>(sldt::scalar(hi)) : c10::nullopt;
    *out = wrap(at::clamp(T(a), min_v, max_v));
    SLDT_END
}

sldt_status sldt_math_where_scalar(sldt_tensor cond, sldt_tensor a, double b, sldt_tensor* out) {
    SLDT_RETURN(at::where(T(cond), T(a), sldt::scalar(b)))
}

SLDT_UNARY(neg, at::neg(a))
SLDT_UNARY(abs, at::abs(a))
SLDT_UNARY(exp, at::exp(a))
SLDT_UNARY(log, at::log(a))
SLDT_UNARY(log10, at::log10(a))
SLDT_UNARY(log1p, at::log1p(a))
SLDT_UNARY(expm1, at::expm1(a))
SLDT_UNARY(sqrt, at::sqrt(a))
SLDT_UNARY(rsqrt, at::rsqrt(a))
SLDT_UNARY(square, at::square(a))
SLDT_UNARY(reciprocal, at::reciprocal(a))
SLDT_UNARY(sin, at::sin(a))
SLDT_UNARY(cos, at::cos(a))
SLDT_UNARY(tanh, at::tanh(a))
SLDT_UNARY(sigmoid, at::sigmoid(a))
SLDT_UNARY(erf, at::erf(a))
SLDT_UNARY(floor, at::floor(a))
SLDT_UNARY(ceil, at::ceil(a))
SLDT_UNARY(round, at::round(a))
SLDT_UNARY(sign, at::sign(a))
SLDT_UNARY(logical_not, at::logical_not(a))
SLDT_UNARY(isnan, at::isnan(a))
SLDT_UNARY(isfinite, at::isfinite(a))

// ---- linear algebra ----

sldt_status sldt_linalg_matmul(sldt_tensor a, sldt_tensor b, sldt_tensor* out) { SLDT_RETURN(at::matmul(T(a), T(b))) }

sldt_status sldt_linalg_mm(sldt_tensor a, sldt_tensor b, sldt_tensor* out) { SLDT_RETURN(at::mm(T(a), T(b))) }

sldt_status sldt_linalg_bmm(sldt_tensor a, sldt_tensor b, sldt_tensor* out) { SLDT_RETURN(at::bmm(T(a), T(b))) }

sldt_status sldt_linalg_addmm(sldt_tensor bias, sldt_tensor a, sldt_tensor b, double beta, double alpha,
                              sldt_tensor* out) {
    SLDT_RETURN(at::addmm(T(bias), T(a), T(b), beta, alpha))
}

sldt_status sldt_linalg_outer(sldt_tensor a, sldt_tensor b, sldt_tensor* out) { SLDT_RETURN(at::outer(T(a), T(b))) }

sldt_status sldt_linalg_cdist(sldt_tensor a, sldt_tensor b, double p, sldt_tensor* out) {
    SLDT_RETURN(at::cdist(T(a), T(b), p))
}

// ---- FFT ----

sldt_status sldt_fft_rfft(sldt_tensor t, int64_t n, int64_t dim, sldt_tensor* out) {
    SLDT_RETURN(at::fft_rfft(T(t), n < 0 ? c10::nullopt : c10::optional<int64_t>(n), dim))
}

sldt_status sldt_fft_irfft(sldt_tensor t, int64_t n, int64_t dim, sldt_tensor* out) {
    SLDT_RETURN(at::fft_irfft(T(t), n < 0 ? c10::nullopt : c10::optional<int64_t>(n), dim))
}

}  // extern "C"
