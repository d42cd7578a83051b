/*
 * sldtorch.h - the whole C ABI of Sld.Bench's libtorch shim.
 *
 * One export per op, named sldt_<area>_<op> after the PyTorch op it wraps. Every export returns an
 * sldt_status: 0 on success; otherwise the message and the failing export's name are kept in
 * thread-local storage (sldt_error_message / sldt_error_op) until sldt_error_clear() frees them.
 * Tensors cross the boundary as opaque owning handles (sldt_tensor) released with sldt_tensor_free.
 * The managed side checks sldt_abi_version() against SLDT_ABI_VERSION when it loads the library.
 */
#ifndef SLDTORCH_H
#define SLDTORCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bump whenever an export's signature or meaning changes. */
#define SLDT_ABI_VERSION 3

#if defined(_WIN32)
#define SLDT_API __declspec(dllexport)
#else
#define SLDT_API __attribute__((visibility("default")))
#endif

typedef struct sldt_tensor_s* sldt_tensor; /* owns one at::Tensor reference */
typedef int32_t sldt_status;               /* 0 = ok, 1 = error (see sldt_error_message) */

/* dtype codes are c10::ScalarType values, stable across libtorch versions. */
enum {
    SLDT_UINT8 = 0, SLDT_INT8 = 1, SLDT_INT16 = 2, SLDT_INT32 = 3, SLDT_INT64 = 4,
    SLDT_FLOAT16 = 5, SLDT_FLOAT32 = 6, SLDT_FLOAT64 = 7, SLDT_COMPLEX64 = 9,
    SLDT_BOOL = 11, SLDT_BFLOAT16 = 15
};
/* device type codes are c10::DeviceType values. */
enum { SLDT_CPU = 0, SLDT_CUDA = 1 };
/* reduction codes are at::Reduction values. */
enum { SLDT_REDUCTION_NONE = 0, SLDT_REDUCTION_MEAN = 1, SLDT_REDUCTION_SUM = 2 };

/* ---- runtime: errors, versions, threads, seeds, devices, grad mode ---- */
SLDT_API int32_t sldt_abi_version(void);
SLDT_API const char* sldt_error_message(void); /* NULL when no error is pending on this thread */
SLDT_API const char* sldt_error_op(void);
SLDT_API void sldt_error_clear(void);
SLDT_API sldt_status sldt_runtime_torch_version(const char** out);
SLDT_API sldt_status sldt_runtime_set_num_threads(int32_t n); /* also resizes OpenBLAS's pool */
SLDT_API sldt_status sldt_runtime_get_num_threads(int32_t* out);
/* OpenBLAS's own pool size (set together with at::set_num_threads); -1 when OpenBLAS is not loaded */
SLDT_API sldt_status sldt_runtime_blas_num_threads(int32_t* out);
SLDT_API sldt_status sldt_runtime_set_num_interop_threads(int32_t n);
SLDT_API sldt_status sldt_runtime_manual_seed(uint64_t seed);
SLDT_API sldt_status sldt_runtime_cuda_is_available(int32_t* out);
SLDT_API sldt_status sldt_runtime_cuda_device_count(int32_t* out);
SLDT_API sldt_status sldt_runtime_cuda_synchronize(int32_t device_index);
SLDT_API sldt_status sldt_runtime_set_deterministic(int32_t enabled);
SLDT_API sldt_status sldt_runtime_live_tensors(int64_t* out); /* handles allocated and not freed */
SLDT_API sldt_status sldt_autograd_set_grad_enabled(int32_t enabled, int32_t* previous);
SLDT_API sldt_status sldt_autograd_is_grad_enabled(int32_t* out);

/* ---- tensor: lifetime, metadata, data transfer ---- */
SLDT_API void sldt_tensor_free(sldt_tensor t);
SLDT_API sldt_status sldt_tensor_alias(sldt_tensor t, sldt_tensor* out); /* a second handle, same tensor */
SLDT_API sldt_status sldt_tensor_defined(sldt_tensor t, int32_t* out);
SLDT_API sldt_status sldt_tensor_dim(sldt_tensor t, int64_t* out);
SLDT_API sldt_status sldt_tensor_sizes(sldt_tensor t, int64_t* out, int32_t cap); /* cap >= dim */
SLDT_API sldt_status sldt_tensor_strides(sldt_tensor t, int64_t* out, int32_t cap);
SLDT_API sldt_status sldt_tensor_numel(sldt_tensor t, int64_t* out);
SLDT_API sldt_status sldt_tensor_dtype(sldt_tensor t, int32_t* out);
SLDT_API sldt_status sldt_tensor_device(sldt_tensor t, int32_t* type, int32_t* index);
SLDT_API sldt_status sldt_tensor_is_contiguous(sldt_tensor t, int32_t* out);
SLDT_API sldt_status sldt_tensor_data_ptr(sldt_tensor t, void** out); /* CPU tensors only */
SLDT_API sldt_status sldt_tensor_storage_offset(sldt_tensor t, int64_t* out);
SLDT_API sldt_status sldt_tensor_item_double(sldt_tensor t, double* out);
SLDT_API sldt_status sldt_tensor_item_int64(sldt_tensor t, int64_t* out);
SLDT_API sldt_status sldt_tensor_to_string(sldt_tensor t, const char** out); /* valid until next call */
/* Copies nbytes of host memory into a new CPU tensor of the given shape and dtype. */
SLDT_API sldt_status sldt_tensor_from_buffer(const void* data, int64_t nbytes, const int64_t* sizes,
                                             int32_t ndim, int32_t dtype, sldt_tensor* out);
/* Copies the tensor's elements (any device, any layout) into host memory in row-major order. */
SLDT_API sldt_status sldt_tensor_copy_to_buffer(sldt_tensor t, void* data, int64_t nbytes);
SLDT_API sldt_status sldt_tensor_to_dtype(sldt_tensor t, int32_t dtype, sldt_tensor* out);
SLDT_API sldt_status sldt_tensor_to_device(sldt_tensor t, int32_t device_type, int32_t device_index,
                                           int32_t non_blocking, sldt_tensor* out);
SLDT_API sldt_status sldt_tensor_clone(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_tensor_contiguous(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_tensor_set_data(sldt_tensor t, sldt_tensor data); /* param.data = data */
SLDT_API sldt_status sldt_tensor_copy_(sldt_tensor t, sldt_tensor src);
SLDT_API sldt_status sldt_tensor_fill_(sldt_tensor t, double value);
SLDT_API sldt_status sldt_tensor_zero_(sldt_tensor t);
SLDT_API sldt_status sldt_tensor_normal_(sldt_tensor t, double mean, double std);
SLDT_API sldt_status sldt_tensor_uniform_(sldt_tensor t, double from, double to);
SLDT_API sldt_status sldt_tensor_add_(sldt_tensor t, sldt_tensor other, double alpha);
SLDT_API sldt_status sldt_tensor_mul_(sldt_tensor t, sldt_tensor other); /* broadcasts other */
SLDT_API sldt_status sldt_tensor_mul_scalar_(sldt_tensor t, double value);
SLDT_API sldt_status sldt_tensor_masked_fill_(sldt_tensor t, sldt_tensor mask, double value);
SLDT_API sldt_status sldt_tensor_index_put_(sldt_tensor t, const sldt_tensor* indices, int32_t n,
                                            sldt_tensor values, int32_t accumulate);

/* ---- autograd ---- */
SLDT_API sldt_status sldt_autograd_requires_grad(sldt_tensor t, int32_t* out);
SLDT_API sldt_status sldt_autograd_set_requires_grad(sldt_tensor t, int32_t requires_grad);
SLDT_API sldt_status sldt_autograd_is_leaf(sldt_tensor t, int32_t* out);
SLDT_API sldt_status sldt_autograd_backward(sldt_tensor t, sldt_tensor grad /* nullable */,
                                            int32_t retain_graph);
SLDT_API sldt_status sldt_autograd_grad(sldt_tensor t, sldt_tensor* out); /* *out NULL if undefined */
SLDT_API sldt_status sldt_autograd_set_grad(sldt_tensor t, sldt_tensor grad /* nullable */);
SLDT_API sldt_status sldt_autograd_zero_grad(const sldt_tensor* params, int32_t n, int32_t set_to_none);
SLDT_API sldt_status sldt_autograd_detach(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_autograd_retain_grad(sldt_tensor t);

/* ---- creation (dtype, device type and index, requires_grad) ---- */
SLDT_API sldt_status sldt_create_empty(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev,
                                       int32_t dev_index, int32_t requires_grad, sldt_tensor* out);
SLDT_API sldt_status sldt_create_zeros(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev,
                                       int32_t dev_index, int32_t requires_grad, sldt_tensor* out);
SLDT_API sldt_status sldt_create_ones(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev,
                                      int32_t dev_index, int32_t requires_grad, sldt_tensor* out);
SLDT_API sldt_status sldt_create_full(const int64_t* sizes, int32_t ndim, double value, int32_t dtype,
                                      int32_t dev, int32_t dev_index, int32_t requires_grad, sldt_tensor* out);
SLDT_API sldt_status sldt_create_arange(double start, double end, double step, int32_t dtype, int32_t dev,
                                        int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev,
                                          int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_eye(int64_t n, int32_t dtype, int32_t dev, int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_randn(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev,
                                       int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_rand(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev,
                                      int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_randint(int64_t low, int64_t high, const int64_t* sizes, int32_t ndim,
                                         int32_t dtype, int32_t dev, int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_randperm(int64_t n, int32_t dev, int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_hann_window(int64_t length, int32_t periodic, int32_t dtype, int32_t dev,
                                             int32_t dev_index, sldt_tensor* out);
SLDT_API sldt_status sldt_create_hamming_window(int64_t length, int32_t periodic, double alpha, double beta,
                                                int32_t dtype, int32_t dev, int32_t dev_index, sldt_tensor* out);

/* ---- views and indexing ---- */
SLDT_API sldt_status sldt_view_view(sldt_tensor t, const int64_t* sizes, int32_t ndim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_reshape(sldt_tensor t, const int64_t* sizes, int32_t ndim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_permute(sldt_tensor t, const int64_t* dims, int32_t ndim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_transpose(sldt_tensor t, int64_t dim0, int64_t dim1, sldt_tensor* out);
SLDT_API sldt_status sldt_view_slice(sldt_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step,
                                     sldt_tensor* out);
SLDT_API sldt_status sldt_view_select(sldt_tensor t, int64_t dim, int64_t index, sldt_tensor* out);
SLDT_API sldt_status sldt_view_narrow(sldt_tensor t, int64_t dim, int64_t start, int64_t length, sldt_tensor* out);
SLDT_API sldt_status sldt_view_squeeze(sldt_tensor t, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_squeeze_all(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_view_unsqueeze(sldt_tensor t, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_expand(sldt_tensor t, const int64_t* sizes, int32_t ndim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_flatten(sldt_tensor t, int64_t start_dim, int64_t end_dim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_unfold(sldt_tensor t, int64_t dim, int64_t size, int64_t step, sldt_tensor* out);
SLDT_API sldt_status sldt_view_repeat(sldt_tensor t, const int64_t* repeats, int32_t ndim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_flip(sldt_tensor t, const int64_t* dims, int32_t ndim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_roll(sldt_tensor t, int64_t shift, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_as_real(sldt_tensor t, sldt_tensor* out);
/* a view with explicit sizes, strides and storage offset over t's storage (how torch.load rebuilds tensors) */
SLDT_API sldt_status sldt_view_as_strided(sldt_tensor t, const int64_t* sizes, const int64_t* strides, int32_t ndim,
                                          int64_t storage_offset, sldt_tensor* out);
SLDT_API sldt_status sldt_view_index_select(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor* out);
SLDT_API sldt_status sldt_view_index(sldt_tensor t, const sldt_tensor* indices, int32_t n, sldt_tensor* out);
SLDT_API sldt_status sldt_view_gather(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor* out);
SLDT_API sldt_status sldt_view_scatter(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor src,
                                       sldt_tensor* out);
SLDT_API sldt_status sldt_view_scatter_add(sldt_tensor t, int64_t dim, sldt_tensor index, sldt_tensor src,
                                           sldt_tensor* out);
SLDT_API sldt_status sldt_view_masked_fill(sldt_tensor t, sldt_tensor mask, double value, sldt_tensor* out);
SLDT_API sldt_status sldt_view_masked_select(sldt_tensor t, sldt_tensor mask, sldt_tensor* out);
SLDT_API sldt_status sldt_view_cat(const sldt_tensor* ts, int32_t n, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_view_stack(const sldt_tensor* ts, int32_t n, int64_t dim, sldt_tensor* out);
/* split/chunk write up to cap handles into outs and the count into *n_out */
SLDT_API sldt_status sldt_view_split(sldt_tensor t, int64_t split_size, int64_t dim, sldt_tensor* outs,
                                     int32_t cap, int32_t* n_out);
SLDT_API sldt_status sldt_view_split_with_sizes(sldt_tensor t, const int64_t* sizes, int32_t n, int64_t dim,
                                                sldt_tensor* outs);
SLDT_API sldt_status sldt_view_chunk(sldt_tensor t, int64_t chunks, int64_t dim, sldt_tensor* outs,
                                     int32_t cap, int32_t* n_out);
SLDT_API sldt_status sldt_view_triu(sldt_tensor t, int64_t diagonal, sldt_tensor* out);
SLDT_API sldt_status sldt_view_tril(sldt_tensor t, int64_t diagonal, sldt_tensor* out);
SLDT_API sldt_status sldt_view_nonzero(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_view_unique_consecutive(sldt_tensor t, sldt_tensor* values, sldt_tensor* counts);

/* ---- elementwise math: binary tensor-tensor ---- */
SLDT_API sldt_status sldt_math_add(sldt_tensor a, sldt_tensor b, double alpha, sldt_tensor* out);
SLDT_API sldt_status sldt_math_sub(sldt_tensor a, sldt_tensor b, double alpha, sldt_tensor* out);
SLDT_API sldt_status sldt_math_mul(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_div(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_floor_divide(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_remainder(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_pow(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_maximum(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_minimum(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_atan2(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_eq(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_ne(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_lt(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_le(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_gt(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_ge(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_logical_and(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_logical_or(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_where(sldt_tensor cond, sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_lerp(sldt_tensor a, sldt_tensor b, double weight, sldt_tensor* out);

/* ---- elementwise math: tensor-scalar ---- */
SLDT_API sldt_status sldt_math_add_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_mul_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_div_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_rsub_scalar(sldt_tensor a, double b, sldt_tensor* out); /* b - a */
SLDT_API sldt_status sldt_math_pow_scalar(sldt_tensor a, double exponent, sldt_tensor* out);
SLDT_API sldt_status sldt_math_remainder_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_eq_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_ne_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_lt_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_le_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_gt_scalar(sldt_tensor a, double b, sldt_tensor* out);
SLDT_API sldt_status sldt_math_ge_scalar(sldt_tensor a, double b, sldt_tensor* out);
/* clamp with either bound optional: has_min/has_max select which of lo/hi apply */
SLDT_API sldt_status sldt_math_clamp(sldt_tensor a, int32_t has_min, double lo, int32_t has_max, double hi,
                                     sldt_tensor* out);
SLDT_API sldt_status sldt_math_where_scalar(sldt_tensor cond, sldt_tensor a, double b, sldt_tensor* out);

/* ---- elementwise math: unary ---- */
SLDT_API sldt_status sldt_math_neg(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_abs(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_exp(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_log(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_log10(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_log1p(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_expm1(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_sqrt(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_rsqrt(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_square(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_reciprocal(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_sin(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_cos(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_tanh(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_sigmoid(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_erf(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_floor(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_ceil(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_round(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_sign(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_logical_not(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_isnan(sldt_tensor a, sldt_tensor* out);
SLDT_API sldt_status sldt_math_isfinite(sldt_tensor a, sldt_tensor* out);

/* ---- linear algebra ---- */
SLDT_API sldt_status sldt_linalg_matmul(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_linalg_mm(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_linalg_bmm(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_linalg_addmm(sldt_tensor bias, sldt_tensor a, sldt_tensor b, double beta,
                                       double alpha, sldt_tensor* out);
SLDT_API sldt_status sldt_linalg_outer(sldt_tensor a, sldt_tensor b, sldt_tensor* out);
SLDT_API sldt_status sldt_linalg_cdist(sldt_tensor a, sldt_tensor b, double p, sldt_tensor* out);

/* ---- reductions: dims == NULL or ndim == 0 reduces over all dimensions ---- */
SLDT_API sldt_status sldt_reduce_sum(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t keepdim,
                                     sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_mean(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t keepdim,
                                      sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_var(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t unbiased,
                                     int32_t keepdim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_std(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t unbiased,
                                     int32_t keepdim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_prod(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_norm(sldt_tensor t, double p, const int64_t* dims, int32_t ndim,
                                      int32_t keepdim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_logsumexp(sldt_tensor t, const int64_t* dims, int32_t ndim, int32_t keepdim,
                                           sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_max_all(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_min_all(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_max(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* values,
                                     sldt_tensor* indices);
SLDT_API sldt_status sldt_reduce_min(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* values,
                                     sldt_tensor* indices);
SLDT_API sldt_status sldt_reduce_argmax(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_argmin(sldt_tensor t, int64_t dim, int32_t keepdim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_topk(sldt_tensor t, int64_t k, int64_t dim, int32_t largest, int32_t sorted,
                                      sldt_tensor* values, sldt_tensor* indices);
SLDT_API sldt_status sldt_reduce_sort(sldt_tensor t, int64_t dim, int32_t descending, int32_t stable,
                                      sldt_tensor* values, sldt_tensor* indices);
SLDT_API sldt_status sldt_reduce_cumsum(sldt_tensor t, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_all(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_any(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_reduce_bincount(sldt_tensor t, sldt_tensor weights /* nullable */, int64_t minlength,
                                          sldt_tensor* out);

/* ---- nn functional ---- */
SLDT_API sldt_status sldt_nn_softmax(sldt_tensor t, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_log_softmax(sldt_tensor t, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_relu(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_gelu(sldt_tensor t, int32_t tanh_approximation, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_silu(sldt_tensor t, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_linear(sldt_tensor x, sldt_tensor w, sldt_tensor b /* nullable */, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_layer_norm(sldt_tensor x, const int64_t* normalized_shape, int32_t ndim,
                                        sldt_tensor w /* nullable */, sldt_tensor b /* nullable */, double eps,
                                        sldt_tensor* out);
SLDT_API sldt_status sldt_nn_group_norm(sldt_tensor x, int64_t num_groups, sldt_tensor w /* nullable */,
                                        sldt_tensor b /* nullable */, double eps, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_embedding(sldt_tensor weight, sldt_tensor indices, int64_t padding_idx,
                                       sldt_tensor* out);
SLDT_API sldt_status sldt_nn_dropout(sldt_tensor t, double p, int32_t train, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_conv1d(sldt_tensor x, sldt_tensor w, sldt_tensor b /* nullable */, int64_t stride,
                                    int64_t padding, int64_t dilation, int64_t groups, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_conv_transpose1d(sldt_tensor x, sldt_tensor w, sldt_tensor b /* nullable */,
                                              int64_t stride, int64_t padding, int64_t output_padding,
                                              int64_t groups, int64_t dilation, sldt_tensor* out);
/* mode: 0 constant, 1 reflect, 2 replicate; pads as in F.pad (last dimension first) */
SLDT_API sldt_status sldt_nn_pad(sldt_tensor t, const int64_t* pads, int32_t npads, int32_t mode, double value,
                                 sldt_tensor* out);
SLDT_API sldt_status sldt_nn_one_hot(sldt_tensor t, int64_t num_classes, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_cross_entropy(sldt_tensor logits, sldt_tensor target, sldt_tensor weight /* nullable */,
                                           int32_t reduction, int64_t ignore_index, double label_smoothing,
                                           sldt_tensor* out);
SLDT_API sldt_status sldt_nn_nll_loss(sldt_tensor log_probs, sldt_tensor target, int32_t reduction,
                                      int64_t ignore_index, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_kl_div(sldt_tensor input, sldt_tensor target, int32_t reduction, int32_t log_target,
                                    sldt_tensor* out);
SLDT_API sldt_status sldt_nn_mse_loss(sldt_tensor input, sldt_tensor target, int32_t reduction, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_l1_loss(sldt_tensor input, sldt_tensor target, int32_t reduction, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_ctc_loss(sldt_tensor log_probs, sldt_tensor targets, sldt_tensor input_lengths,
                                      sldt_tensor target_lengths, int64_t blank, int32_t reduction,
                                      int32_t zero_infinity, sldt_tensor* out);
/* Scaled dot-product attention over (B, H, T, D) inputs, composed from ops every libtorch has. */
SLDT_API sldt_status sldt_nn_scaled_dot_product_attention(sldt_tensor q, sldt_tensor k, sldt_tensor v,
                                                          sldt_tensor attn_mask /* nullable, bool or additive */,
                                                          double dropout_p, int32_t is_causal, sldt_tensor* out);
SLDT_API sldt_status sldt_nn_stft(sldt_tensor x, int64_t n_fft, int64_t hop_length, int64_t win_length,
                                  sldt_tensor window /* nullable */, int32_t center, int32_t pad_mode_reflect,
                                  int32_t normalized, int32_t onesided, sldt_tensor* out /* complex */);
SLDT_API sldt_status sldt_nn_multinomial(sldt_tensor probs, int64_t num_samples, int32_t replacement,
                                         sldt_tensor* out);
SLDT_API sldt_status sldt_nn_avg_pool1d(sldt_tensor x, int64_t kernel, int64_t stride, int64_t padding,
                                        sldt_tensor* out);

/* ---- FFT ---- */
SLDT_API sldt_status sldt_fft_rfft(sldt_tensor t, int64_t n /* -1: input length */, int64_t dim, sldt_tensor* out);
SLDT_API sldt_status sldt_fft_irfft(sldt_tensor t, int64_t n /* -1: default */, int64_t dim, sldt_tensor* out);

/* ---- optimisation: fused parameter updates over a list of parameters ---- */
/* AdamW (decoupled weight decay) on every parameter whose grad is defined; step is the 1-based count. */
SLDT_API sldt_status sldt_optim_adamw_step(const sldt_tensor* params, const sldt_tensor* exp_avg,
                                           const sldt_tensor* exp_avg_sq, int32_t n, double lr, double beta1,
                                           double beta2, double eps, double weight_decay, int64_t step);
SLDT_API sldt_status sldt_optim_sgd_step(const sldt_tensor* params, const sldt_tensor* momentum_buf /* nullable entries */,
                                         int32_t n, double lr, double momentum, double weight_decay);
/* Scales all gradients so their global p-norm is at most max_norm; writes the norm before clipping. */
SLDT_API sldt_status sldt_optim_clip_grad_norm(const sldt_tensor* params, int32_t n, double max_norm,
                                               double norm_type, double* total_norm);

#ifdef __cplusplus
}
#endif

#endif /* SLDTORCH_H */
