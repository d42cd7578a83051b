// Creation exports: factories with an explicit dtype and device, random tensors, windows.
#include "shim.h"

using sldt::ints;
using sldt::options;
using sldt::wrap;

namespace {
// at:: factories drop TensorOptions::requires_grad (only the torch:: variable factories apply it), so the
// flag is set on the result instead.
at::Tensor leaf(at::Tensor t, int32_t requires_grad) {
    if (requires_grad != 0) t.requires_grad_(true);
    return t;
}
}  // namespace

extern "C" {

sldt_status sldt_create_empty(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev, int32_t dev_index,
                              int32_t requires_grad, sldt_tensor* out) {
    SLDT_RETURN(leaf(at::empty(ints(sizes, ndim), options(dtype, dev, dev_index)), requires_grad))
}

sldt_status sldt_create_zeros(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev, int32_t dev_index,
                              int32_t requires_grad, sldt_tensor* out) {
    SLDT_RETURN(leaf(at::zeros(ints(sizes, ndim), options(dtype, dev, dev_index)), requires_grad))
}

sldt_status sldt_create_ones(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev, int32_t dev_index,
                             int32_t requires_grad, sldt_tensor* out) {
    SLDT_RETURN(leaf(at::ones(ints(sizes, ndim), options(dtype, dev, dev_index)), requires_grad))
}

sldt_status sldt_create_full(const int64_t* sizes, int32_t ndim, double value, int32_t dtype, int32_t dev,
                             int32_t dev_index, int32_t requires_grad, sldt_tensor* out) {
    SLDT_RETURN(leaf(at::full(ints(sizes, ndim), value, options(dtype, dev, dev_index)), requires_grad))
}

sldt_status sldt_create_arange(double start, double end, double step, int32_t dtype, int32_t dev, int32_t dev_index,
                               sldt_tensor* out) {
    SLDT_RETURN(at::arange(start, end, step, options(dtype, dev, dev_index)))
}

sldt_status sldt_create_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev,
                                 int32_t dev_index, sldt_tensor* out) {
    SLDT_RETURN(at::linspace(start, end, steps, options(dtype, dev, dev_index)))
}

sldt_status sldt_create_eye(int64_t n, int32_t dtype, int32_t dev, int32_t dev_index, sldt_tensor* out) {
    SLDT_RETURN(at::eye(n, options(dtype, dev, dev_index)))
}

sldt_status sldt_create_randn(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev, int32_t dev_index,
                              sldt_tensor* out) {
    SLDT_RETURN(at::randn(ints(sizes, ndim), options(dtype, dev, dev_index)))
}

sldt_status sldt_create_rand(const int64_t* sizes, int32_t ndim, int32_t dtype, int32_t dev, int32_t dev_index,
                             sldt_tensor* out) {
    SLDT_RETURN(at::rand(ints(sizes, ndim), options(dtype, dev, dev_index)))
}

sldt_status sldt_create_randint(int64_t low, int64_t high, const int64_t* sizes, int32_t ndim, int32_t dtype,
                                int32_t dev, int32_t dev_index, sldt_tensor* out) {
    SLDT_RETURN(at::randint(low, high, ints(sizes, ndim), options(dtype, dev, dev_index)))
}

sldt_status sldt_create_randperm(int64_t n, int32_t dev, int32_t dev_index, sldt_tensor* out) {
    SLDT_RETURN(at::randperm(n, options(SLDT_INT64, dev, dev_index)))
}

sldt_status sldt_create_hann_window(int64_t length, int32_t periodic, int32_t dtype, int32_t dev, int32_t dev_index,
                                    sldt_tensor* out) {
    SLDT_RETURN(at::hann_window(length, periodic != 0, options(dtype, dev, dev_index)))
}

sldt_status sldt_create_hamming_window(int64_t length, int32_t periodic, double alpha, double beta, int32_t dtype,
                                       int32_t dev, int32_t dev_index, sldt_tensor* out) {
    SLDT_RETURN(at::hamming_window(length, periodic != 0, alpha, beta, options(dtype, dev, dev_index)))
}

}  // extern "C"
