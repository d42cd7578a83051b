// View and indexing exports: reshaping, slicing, gathering/scattering, joining and splitting.
#include "shim.h"

using sldt::ints;
using sldt::T;
using sldt::wrap;

namespace {
void write_outs(const std::vector<at::Tensor>& parts, sldt_tensor* outs, int32_t cap, int32_t* n_out) {
    if (static_cast<int64_t>(parts.size()) > cap)
        throw std::invalid_argument("output buffer holds " + std::to_string(cap) + " handles but the op made " +
                                    std::to_string(parts.size()));
    for (size_t i = 0; i < parts.size(); ++i) outs[i] = wrap(parts[i]);
    *n_out = static_cast<int32_t>(parts.size());
}
}  // namespace

extern "C" {

sldt_status sldt_view_view(sldt_tensor t, const int64_t* sizes, int32_t ndim, sldt_tensor* out) {
    SLDT_RETURN(T(t).view(ints(sizes, ndim)))
}

sldt_status sldt_view_reshape(sldt_tensor t, const int64_t* sizes, int32_t ndim, sldt_tensor* out) {
    SLDT_RETURN(T(t).reshape(ints(sizes, ndim)))
}

sldt_status sldt_view_permute(sldt_tensor t, const int64_t* dims, int32_t ndim, sldt_tensor* out) {
    SLDT_RETURN(T(t).permute(ints(dims, ndim)))
}

sldt_status sldt_view_transpose(sldt_tensor t, int64_t dim0, int64_t dim1, sldt_tensor* out) {
    SLDT_RETURN(T(t).transpose(dim0, dim1))
}

sldt_status sldt_view_slice(sldt_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step, sldt_tensor* out) {
    SLDT_RETURN(T(t).slice(dim, start, end, step))
}

sldt_status sldt_view_select(sldt_tensor t, int64_t dim, int64_t index, sldt_tensor* out) {
    SLDT_RETURN(T(t).select(dim, index))
}

sldt_status sldt_view_narrow(sldt_tensor t, int64_t dim, int64_t start, int64_t length, sldt_tensor* out) {
    SLDT_RETURN(T(t).narrow(dim, start, length))
}

sldt_status sldt_view_squeeze(sldt_tensor t, int64_t dim, sldt_tensor* out) { SLDT_RETURN(T(t).squeeze(dim)) }

sldt_status sldt_view_squeeze_all(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).squeeze()) }

sldt_status sldt_view_unsqueeze(sldt_tensor t, int64_t dim, sldt_tensor* out) { SLDT_RETURN(T(t).unsqueeze(dim)) }

sldt_status sldt_view_expand(sldt_tensor t, const int64_t* sizes, int32_t ndim, sldt_tensor* out) {
    SLDT_RETURN(T(t).expand(ints(sizes, ndim)))
}

sldt_status sldt_view_flatten(sldt_tensor t, int64_t start_dim, int64_t end_dim, sldt_tensor* out) {
    SLDT_RETURN(T(t).flatten(start_dim, end_dim))
}

sldt_status sldt_view_unfold(sldt_tensor t, int64_t dim, int64_t size, int64_t step, sldt_tensor* out) {
    SLDT_RETURN(T(t).unfold(dim, size, step))
}

sldt_status sldt_view_repeat(sldt_tensor t, const int64_t* repeats, int32_t ndim, sldt_tensor* out) {
    SLDT_RETURN(T(t).repeat(ints(repeats, ndim)))
}

sldt_status sldt_view_flip(sldt_tensor t, const int64_t* dims, int32_t ndim, sldt_tensor* out) {
    SLDT_RETURN(T(t).flip(ints(dims, ndim)))
}

sldt_status sldt_view_roll(sldt_tensor t, int64_t shift, int64_t dim, sldt_tensor* out) {
    SLDT_RETURN(at::roll(T(t), {shift}, {dim}))
}

sldt_status sldt_view_as_real(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(at::view_as_real(T(t))) }

sldt_status sldt_view_as_strided(sldt_tensor t, const int64_t* sizes, const int64_t* strides, int32_t ndim,
                                 int64_t storage_offset, sldt_tensor* out) {
    SLDT_RETURN(T(t).as_strided(ints(sizes, ndim), ints(strides, ndim), storage_offset))
}

sldt_status sldt_view_index_select(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor* out) {
    SLDT_RETURN(T(t).index_select(dim, T(index)))
}

sldt_status sldt_view_index(sldt_tensor t, const sldt_tensor* indices, int32_t n, sldt_tensor* out) {
    SLDT_RETURN(T(t).index(sldt::optional_list(indices, n)))
}

sldt_status sldt_view_gather(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor* out) {
    SLDT_RETURN(T(t).gather(dim, T(index)))
}

sldt_status sldt_view_scatter(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor src, sldt_tensor* out) {
    SLDT_RETURN(T(t).scatter(dim, T(index), T(src)))
}

sldt_status sldt_view_scatter_add(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor src, sldt_tensor* out) {
    SLDT_RETURN(T(t).scatter_add(dim, T(index), T(src)))
}

sldt_status sldt_view_masked_fill(sldt_tensor t, sldt_tensor mask, double value, sldt_tensor* out) {
    SLDT_RETURN(T(t).masked_fill(T(mask), value))
}

sldt_status sldt_view_masked_select(sldt_tensor t, sldt_tensor mask, sldt_tensor* out) {
    SLDT_RETURN(T(t).masked_select(T(mask)))
}

sldt_status sldt_view_cat(const sldt_tensor* ts, int32_t n, int64_t dim, sldt_tensor* out) {
    SLDT_RETURN(at::cat(sldt::list(ts, n), dim))
}

sldt_status sldt_view_stack(const sldt_tensor* ts, int32_t n, int64_t dim, sldt_tensor* out) {
    SLDT_RETURN(at::stack(sldt::list(ts, n), dim))
}

sldt_status sldt_view_split(sldt_tensor t, int64_t split_size, int64_t dim, sldt_tensor* outs, int32_t cap,
                            int32_t* n_out) {
    SLDT_BEGIN
    write_outs(T(t).split(split_size, dim), outs, cap, n_out);
    SLDT_END
}

sldt_status sldt_view_split_with_sizes(sldt_tensor t, const int64_t* sizes, int32_t n, int64_t dim,
                                       sldt_tensor* outs) {
    SLDT_BEGIN
    int32_t written = 0;
    write_outs(T(t).split_with_sizes(ints(sizes, n), dim), outs, n, &written);
    SLDT_END
}

sldt_status sldt_view_chunk(sldt_tensor t, int64_t chunks, int64_t dim, sldt_tensor* outs, int32_t cap,
                            int32_t* n_out) {
    SLDT_BEGIN
    write_outs(T(t).chunk(chunks, dim), outs, cap, n_out);
    SLDT_END
}

sldt_status sldt_view_triu(sldt_tensor t, int64_t diagonal, sldt_tensor* out) { SLDT_RETURN(T(t).triu(diagonal)) }

sldt_status sldt_view_tril(sldt_tensor t, int64_t diagonal, sldt_tensor* out) { SLDT_RETURN(T(t).tril(diagonal)) }

sldt_status sldt_view_nonzero(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).nonzero()) }

sldt_status sldt_view_unique_consecutive(sldt_tensor t, sldt_tensor* values, sldt_tensor* counts) {
    SLDT_BEGIN
    auto result = at::unique_consecutive(T(t), /*return_inverse=*/false, /*return_counts=*/true);
    *values = wrap(std::get<0>(result));
    *counts = wrap(std::get<2>(result));
    SLDT_END
}

}  // extern "C"
