// Reduction exports. A null or empty dims list reduces over every dimension, as PyTorch's sum() does.
#include "shim.h"

using sldt::ints;
using sldt::T;
using sldt::wrap;

namespace {
bool all_dims(const int64_t* dims, int32_t ndim) { return dims == nullptr || ndim == 0; }
}  // namespace

extern "C" {

sldt_status sldt_reduce_sum(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t keepdim, sldt_tensor* out) {
    SLDT_RETURN(all_dims(dims, ndim) ? T(t).sum() : T(t).sum(ints(dims, ndim), keepdim != 0))
}

sldt_status sldt_reduce_mean(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t keepdim, sldt_tensor* out) {
    SLDT_RETURN(all_dims(dims, ndim) ? T(t).mean() : T(t).mean(ints(dims, ndim), keepdim != 0))
}

sldt_status sldt_reduce_var(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t unbiased, int32_t keepdim,
                            sldt_tensor* out) {
    SLDT_RETURN(all_dims(dims, ndim) ? T(t).var(unbiased != 0)
                                     : T(t).var(ints(dims, ndim), unbiased != 0, keepdim != 0))
}

sldt_status sldt_reduce_std(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t unbiased, int32_t keepdim,
                            sldt_tensor* out) {
    SLDT_RETURN(all_dims(dims, ndim) ? T(t).std(unbiased != 0)
                                     : T(t).std(ints(dims, ndim), unbiased != 0, keepdim != 0))
}

sldt_status sldt_reduce_prod(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* out) {
    SLDT_RETURN(T(t).prod(dim, keepdim != 0))
}

sldt_status sldt_reduce_norm(sldt_tensor t, double p, const int64_t* dims, int32_t ndim, int32_t keepdim,
                             sldt_tensor* out) {
    SLDT_RETURN(all_dims(dims, ndim) ? at::norm(T(t), p) : at::norm(T(t), p, ints(dims, ndim), keepdim != 0))
}

sldt_status sldt_reduce_logsumexp(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t keepdim,
                                  sldt_tensor* out) {
    SLDT_BEGIN
    const auto& x = T(t);
    if (all_dims(dims, ndim)) {
        *out = wrap(at::logsumexp(x.reshape({-1}), {0}, keepdim != 0));
    } else {
        *out = wrap(at::logsumexp(x, ints(dims, ndim), keepdim != 0));
    }
    SLDT_END
}

sldt_status sldt_reduce_max_all(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).max()) }

sldt_status sldt_reduce_min_all(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).min()) }

sldt_status sldt_reduce_max(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* values, sldt_tensor* indices) {
    SLDT_BEGIN
    auto r = T(t).max(dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    SLDT_END
}

sldt_status sldt_reduce_min(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* values, sldt_tensor* indices) {
    SLDT_BEGIN
    auto r = T(t).min(dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    SLDT_END
}

sldt_status sldt_reduce_argmax(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* out) {
    SLDT_RETURN(T(t).argmax(dim, keepdim != 0))
}

sldt_status sldt_reduce_argmin(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* out) {
    SLDT_RETURN(T(t).argmin(dim, keepdim != 0))
}

sldt_status sldt_reduce_topk(sldt_tensor t, int64_t k, int64_t dim, int32_t largest, int32_t sorted,
                             sldt_tensor* values, sldt_tensor* indices) {
    SLDT_BEGIN
    auto r = T(t).topk(k, dim, largest != 0, sorted != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    SLDT_END
}

sldt_status sldt_reduce_sort(sldt_tensor t, int64_t dim, int32_t descending, int32_t stable, sldt_tensor* values,
                             sldt_tensor* indices) {
    SLDT_BEGIN
    auto r = T(t).sort(c10::optional<bool>(stable != 0), dim, descending != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
    SLDT_END
}

sldt_status sldt_reduce_cumsum(sldt_tensor t, int64_t dim, sldt_tensor* out) { SLDT_RETURN(T(t).cumsum(dim)) }

sldt_status sldt_reduce_all(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).all()) }

sldt_status sldt_reduce_any(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).any()) }

sldt_status sldt_reduce_bincount(sldt_tensor t, sldt_tensor weights, int64_t minlength, sldt_tensor* out) {
    SLDT_RETURN(at::bincount(T(t), sldt::opt(weights), minlength))
}

}  // extern "C"
