// Internal helpers shared by the shim's sources: the handle struct, conversions between C arguments and
// ATen types, and the SLDT_BEGIN/SLDT_END pair that turns every C++ exception into a status code plus a
// thread-local message, so that no exception ever crosses the C ABI.
#pragma once

#include "sldtorch.h"

#include <ATen/ATen.h>

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

struct sldt_tensor_s {
    at::Tensor t;
};

namespace sldt {

extern std::atomic<int64_t> live_handles;

void set_error(const char* op, const char* message);

inline sldt_tensor wrap(at::Tensor t) {
    auto* h = new sldt_tensor_s{std::move(t)};
    live_handles.fetch_add(1, std::memory_order_relaxed);
    return h;
}

inline const at::Tensor& T(sldt_tensor h) {
    if (h == nullptr) throw std::invalid_argument("null tensor handle");
    return h->t;
}

inline c10::optional<at::Tensor> opt(sldt_tensor h) {
    if (h == nullptr) return c10::nullopt;
    return h->t;
}

inline at::IntArrayRef ints(const int64_t* p, int32_t n) {
    if (n < 0) throw std::invalid_argument("negative length");
    return at::IntArrayRef(p, static_cast<size_t>(n));
}

inline at::ScalarType dtype(int32_t code) {
    switch (code) {
        case SLDT_UINT8: case SLDT_INT8: case SLDT_INT16: case SLDT_INT32: case SLDT_INT64:
        case SLDT_FLOAT16: case SLDT_FLOAT32: case SLDT_FLOAT64: case SLDT_COMPLEX64: case SLDT_BOOL:
        case SLDT_BFLOAT16:
            return static_cast<at::ScalarType>(code);
        default:
            throw std::invalid_argument("unknown dtype code " + std::to_string(code));
    }
}

inline at::Device device(int32_t type, int32_t index) {
    if (type == SLDT_CPU) return at::Device(at::kCPU);
    if (type == SLDT_CUDA) return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index < 0 ? 0 : index));
    throw std::invalid_argument("unknown device type code " + std::to_string(type));
}

inline at::TensorOptions options(int32_t dt, int32_t dev, int32_t index, bool requires_grad = false) {
    return at::TensorOptions().dtype(dtype(dt)).device(device(dev, index)).requires_grad(requires_grad);
}

inline std::vector<at::Tensor> list(const sldt_tensor* ts, int32_t n) {
    std::vector<at::Tensor> v;
    v.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) v.push_back(T(ts[i]));
    return v;
}

inline c10::List<c10::optional<at::Tensor>> optional_list(const sldt_tensor* ts, int32_t n) {
    c10::List<c10::optional<at::Tensor>> l;
    l.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) l.push_back(opt(ts[i]));
    return l;
}

// A scalar from the C ABI as PyTorch would type it: a whole number within int64 range becomes an integer
// Scalar, so int64 tensors stay int64 under x + 1 or x - 0 (the managed x - b sends -b) and an integral
// alpha is accepted for integer tensors; a fractional value stays a double and promotes them to float.
inline at::Scalar scalar(double v) {
    if (std::trunc(v) == v && v >= -9223372036854775808.0 && v < 9223372036854775808.0)
        return at::Scalar(static_cast<int64_t>(v));
    return at::Scalar(v);
}

inline int64_t reduction(int32_t code) {
    if (code < SLDT_REDUCTION_NONE || code > SLDT_REDUCTION_SUM)
        throw std::invalid_argument("unknown reduction code " + std::to_string(code));
    return code;
}

}  // namespace sldt

// Every export body sits between these two: success returns 0; a c10::Error, a std::exception or
// anything else thrown is recorded with the export's name and turned into status 1.
#define SLDT_BEGIN try {
#define SLDT_END                                                           \
    }                                                                      \
    catch (const c10::Error& e) {                                          \
        sldt::set_error(__func__, e.what_without_backtrace());             \
        return 1;                                                          \
    }                                                                      \
    catch (const std::exception& e) {                                      \
        sldt::set_error(__func__, e.what());                               \
        return 1;                                                          \
    }                                                                      \
    catch (...) {                                                          \
        sldt::set_error(__func__, "unknown C++ exception");                \
        return 1;                                                          \
    }                                                                      \
    return 0;

// The common shape: one tensor result written to *out.
#define SLDT_RETURN(expr) SLDT_BEGIN *out = sldt::wrap(expr); SLDT_END
