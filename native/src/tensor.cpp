// Tensor exports: handle lifetime, metadata, host transfers, dtype/device moves, in-place updates and the
// autograd entry points (requires_grad, backward, grad).
#include "shim.h"

#include <cstring>
#include <sstream>

using sldt::T;
using sldt::wrap;

extern "C" {

void sldt_tensor_free(sldt_tensor t) {
    if (t == nullptr) return;
    delete t;
    sldt::live_handles.fetch_sub(1, std::memory_order_relaxed);
}

sldt_status sldt_tensor_alias(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t)) }

sldt_status sldt_tensor_defined(sldt_tensor t, int32_t* out) {
    SLDT_BEGIN
    *out = T(t).defined() ? 1 : 0;
    SLDT_END
}

sldt_status sldt_tensor_dim(sldt_tensor t, int64_t* out) {
    SLDT_BEGIN
    *out = T(t).dim();
    SLDT_END
}

sldt_status sldt_tensor_sizes(sldt_tensor t, int64_t* out, int32_t cap) {
    SLDT_BEGIN
    auto s = T(t).sizes();
    if (static_cast<int64_t>(s.size()) > cap) throw std::invalid_argument("sizes buffer too small");
    for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
    SLDT_END
}

sldt_status sldt_tensor_strides(sldt_tensor t, int64_t* out, int32_t cap) {
    SLDT_BEGIN
    auto s = T(t).strides();
    if (static_cast<int64_t>(s.size()) > cap) throw std::invalid_argument("strides buffer too small");
    for (size_t i = 0; i < s.size(); ++i) out[i] = s[i];
    SLDT_END
}

sldt_status sldt_tensor_numel(sldt_tensor t, int64_t* out) {
    SLDT_BEGIN
    *out = T(t).numel();
    SLDT_END
}

sldt_status sldt_tensor_dtype(sldt_tensor t, int32_t* out) {
    SLDT_BEGIN
    *out = static_cast<int32_t>(T(t).scalar_type());
    SLDT_END
}

sldt_status sldt_tensor_device(sldt_tensor t, int32_t* type, int32_t* index) {
    SLDT_BEGIN
    auto d = T(t).device();
    *type = static_cast<int32_t>(d.type());
    *index = d.has_index() ? d.index() : -1;
    SLDT_END
}

sldt_status sldt_tensor_is_contiguous(sldt_tensor t, int32_t* out) {
    SLDT_BEGIN
    *out = T(t).is_contiguous() ? 1 : 0;
    SLDT_END
}

sldt_status sldt_tensor_data_ptr(sldt_tensor t, void** out) {
    SLDT_BEGIN
    const auto& x = T(t);
    if (!x.device().is_cpu()) throw std::invalid_argument("data_ptr needs a CPU tensor; call to(cpu) first");
    *out = x.data_ptr();
    SLDT_END
}

sldt_status sldt_tensor_storage_offset(sldt_tensor t, int64_t* out) {
    SLDT_BEGIN
    *out = T(t).storage_offset();
    SLDT_END
}

sldt_status sldt_tensor_item_double(sldt_tensor t, double* out) {
    SLDT_BEGIN
    *out = T(t).item<double>();
    SLDT_END
}

sldt_status sldt_tensor_item_int64(sldt_tensor t, int64_t* out) {
    SLDT_BEGIN
    *out = T(t).item<int64_t>();
    SLDT_END
}

sldt_status sldt_tensor_to_string(sldt_tensor t, const char** out) {
    static thread_local std::string text;
    SLDT_BEGIN
    std::ostringstream s;
    s << T(t);
    text = s.str();
    *out = text.c_str();
    SLDT_END
}

sldt_status sldt_tensor_from_buffer(const void* data, int64_t nbytes, const int64_t* sizes, int32_t ndim,
                                    int32_t dtype, sldt_tensor* out) {
    SLDT_BEGIN
    auto result = at::empty(sldt::ints(sizes, ndim), at::TensorOptions().dtype(sldt::dtype(dtype)));
    const int64_t expected = result.numel() * static_cast<int64_t>(result.element_size());
    if (expected != nbytes)
        throw std::invalid_argument("buffer holds " + std::to_string(nbytes) + " bytes but the shape needs " +
                                    std::to_string(expected));
    if (nbytes > 0) std::memcpy(result.data_ptr(), data, static_cast<size_t>(nbytes));
    *out = wrap(std::move(result));
    SLDT_END
}

sldt_status sldt_tensor_copy_to_buffer(sldt_tensor t, void* data, int64_t nbytes) {
    SLDT_BEGIN
    auto x = T(t).detach();
    if (!x.device().is_cpu()) x = x.to(at::kCPU);
    x = x.contiguous();
    const int64_t have = x.numel() * static_cast<int64_t>(x.element_size());
    if (have != nbytes)
        throw std::invalid_argument("tensor holds " + std::to_string(have) + " bytes but the buffer has " +
                                    std::to_string(nbytes));
    if (nbytes > 0) std::memcpy(data, x.data_ptr(), static_cast<size_t>(nbytes));
    SLDT_END
}

sldt_status sldt_tensor_to_dtype(sldt_tensor t, int32_t dtype, sldt_tensor* out) {
    SLDT_RETURN(T(t).to(sldt::dtype(dtype)))
}

sldt_status sldt_tensor_to_device(sldt_tensor t, int32_t device_type, int32_t device_index, int32_t non_blocking,
                                  sldt_tensor* out) {
    SLDT_RETURN(T(t).to(sldt::device(device_type, device_index), non_blocking != 0))
}

sldt_status sldt_tensor_clone(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).clone()) }

sldt_status sldt_tensor_contiguous(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).contiguous()) }

sldt_status sldt_tensor_set_data(sldt_tensor t, sldt_tensor data) {
    SLDT_BEGIN
    auto target = T(t);
    target.set_data(T(data));
    SLDT_END
}

sldt_status sldt_tensor_copy_(sldt_tensor t, sldt_tensor src) {
    SLDT_BEGIN
    auto target = T(t);
    target.copy_(T(src));
    SLDT_END
}

sldt_status sldt_tensor_fill_(sldt_tensor t, double value) {
    SLDT_BEGIN
    auto target = T(t);
    target.fill_(value);
    SLDT_END
}

sldt_status sldt_tensor_zero_(sldt_tensor t) {
    SLDT_BEGIN
    auto target = T(t);
    target.zero_();
    SLDT_END
}

sldt_status sldt_tensor_normal_(sldt_tensor t, double mean, double std) {
    SLDT_BEGIN
    auto target = T(t);
    target.normal_(mean, std);
    SLDT_END
}

sldt_status sldt_tensor_uniform_(sldt_tensor t, double from, double to) {
    SLDT_BEGIN
    auto target = T(t);
    target.uniform_(from, to);
    SLDT_END
}

sldt_status sldt_tensor_add_(sldt_tensor t, sldt_tensor other, double alpha) {
    SLDT_BEGIN
    auto target = T(t);
    target.add_(T(other), sldt::scalar(alpha));
    SLDT_END
}

sldt_status sldt_tensor_mul_(sldt_tensor t, sldt_tensor other) {
    SLDT_BEGIN
    auto target = T(t);
    target.mul_(T(other));
    SLDT_END
}

sldt_status sldt_tensor_mul_scalar_(sldt_tensor t, double value) {
    SLDT_BEGIN
    auto target = T(t);
    target.mul_(sldt::scalar(value));
    SLDT_END
}

sldt_status sldt_tensor_masked_fill_(sldt_tensor t, sldt_tensor mask, double value) {
    SLDT_BEGIN
    auto target = T(t);
    target.masked_fill_(T(mask), value);
    SLDT_END
}

sldt_status sldt_tensor_index_put_(sldt_tensor t, const sldt_tensor* indices, int32_t n, sldt_tensor values,
                                   int32_t accumulate) {
    SLDT_BEGIN
    auto target = T(t);
    target.index_put_(sldt::optional_list(indices, n), T(values), accumulate != 0);
    SLDT_END
}

// ---- autograd ----

sldt_status sldt_autograd_requires_grad(sldt_tensor t, int32_t* out) {
    SLDT_BEGIN
    *out = T(t).requires_grad() ? 1 : 0;
    SLDT_END
}

sldt_status sldt_autograd_set_requires_grad(sldt_tensor t, int32_t requires_grad) {
    SLDT_BEGIN
    auto target = T(t);
    target.requires_grad_(requires_grad != 0);
    SLDT_END
}

sldt_status sldt_autograd_is_leaf(sldt_tensor t, int32_t* out) {
    SLDT_BEGIN
    *out = T(t).is_leaf() ? 1 : 0;
    SLDT_END
}

sldt_status sldt_autograd_backward(sldt_tensor t, sldt_tensor grad, int32_t retain_graph) {
    SLDT_BEGIN
    const auto& root = T(t);
    at::Tensor g = grad != nullptr ? T(grad) : at::Tensor();
    root.backward(g, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt, /*create_graph=*/false);
    SLDT_END
}

sldt_status sldt_autograd_grad(sldt_tensor t, sldt_tensor* out) {
    SLDT_BEGIN
    const auto& g = T(t).grad();
    *out = g.defined() ? wrap(g) : nullptr;
    SLDT_END
}

sldt_status sldt_autograd_set_grad(sldt_tensor t, sldt_tensor grad) {
    SLDT_BEGIN
    auto target = T(t);
    target.mutable_grad() = grad != nullptr ? T(grad) : at::Tensor();
    SLDT_END
}

sldt_status sldt_autograd_zero_grad(const sldt_tensor* params, int32_t n, int32_t set_to_none) {
    SLDT_BEGIN
    for (int32_t i = 0; i < n; ++i) {
        auto p = T(params[i]);
        auto& g = p.mutable_grad();
        if (!g.defined()) continue;
        if (set_to_none != 0) {
            g = at::Tensor();
        } else {
            if (g.grad_fn()) g = g.detach();
            else g.requires_grad_(false);
            g.zero_();
        }
    }
    SLDT_END
}

sldt_status sldt_autograd_detach(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(T(t).detach()) }

sldt_status sldt_autograd_retain_grad(sldt_tensor t) {
    SLDT_BEGIN
    T(t).retain_grad();
    SLDT_END
}

}  // extern "C"
