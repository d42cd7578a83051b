// Runtime exports: the error channel, versions, thread and seed control, CUDA queries, grad mode.
#include "shim.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <dlfcn.h>

namespace sldt {

std::atomic<int64_t> live_handles{0};

namespace {
struct ErrorState {
    bool pending = false;
    std::string message;
    std::string op;
};
thread_local ErrorState error_state;
}  // namespace

void set_error(const char* op, const char* message) {
    error_state.pending = true;
    error_state.op = op != nullptr ? op : "";
    error_state.message = message != nullptr ? message : "";
}

// OpenBLAS keeps a thread pool of its own that at::set_num_threads does not resize, so a run asked to use
// one thread would still multiply matrices on all cores. When the process has OpenBLAS loaded (Debian's
// libtorch does, through libblas.so.3), find its setter without linking to it, so other BLAS builds still work.
template <typename Fn>
Fn blas_symbol(const char* name) {
    for (const char* lib : {"libopenblas.so.0", "libblas.so.3", "libopenblas.so"}) {
        void* handle = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
        if (handle == nullptr) continue;
        void* fn = dlsym(handle, name);
        dlclose(handle);
        if (fn != nullptr) return reinterpret_cast<Fn>(fn);
    }
    return nullptr;
}

}  // namespace sldt

extern "C" {

int32_t sldt_abi_version(void) { return SLDT_ABI_VERSION; }

const char* sldt_error_message(void) {
    return sldt::error_state.pending ? sldt::error_state.message.c_str() : nullptr;
}

const char* sldt_error_op(void) { return sldt::error_state.pending ? sldt::error_state.op.c_str() : nullptr; }

void sldt_error_clear(void) {
    // Release the strings' memory, not only their contents: errors can carry long messages.
    sldt::error_state.pending = false;
    std::string().swap(sldt::error_state.message);
    std::string().swap(sldt::error_state.op);
}

sldt_status sldt_runtime_torch_version(const char** out) {
    SLDT_BEGIN
    *out = TORCH_VERSION;
    SLDT_END
}

sldt_status sldt_runtime_set_num_threads(int32_t n) {
    SLDT_BEGIN
    if (n < 1) throw std::invalid_argument("thread count must be >= 1, got " + std::to_string(n));
    at::set_num_threads(n);
    if (auto set_blas = sldt::blas_symbol<void (*)(int)>("openblas_set_num_threads")) set_blas(n);
    SLDT_END
}

sldt_status sldt_runtime_get_num_threads(int32_t* out) {
    SLDT_BEGIN
    *out = at::get_num_threads();
    SLDT_END
}

sldt_status sldt_runtime_blas_num_threads(int32_t* out) {
    SLDT_BEGIN
    auto get_blas = sldt::blas_symbol<int (*)()>("openblas_get_num_threads");
    *out = get_blas != nullptr ? get_blas() : -1;
    SLDT_END
}

sldt_status sldt_runtime_set_num_interop_threads(int32_t n) {
    SLDT_BEGIN
    at::set_num_interop_threads(n);
    SLDT_END
}

sldt_status sldt_runtime_manual_seed(uint64_t seed) {
    SLDT_BEGIN
    torch::manual_seed(seed);  // seeds the CPU generator and, where present, every CUDA generator
    SLDT_END
}

sldt_status sldt_runtime_cuda_is_available(int32_t* out) {
    SLDT_BEGIN
    *out = torch::cuda::is_available() ? 1 : 0;
    SLDT_END
}

sldt_status sldt_runtime_cuda_device_count(int32_t* out) {
    SLDT_BEGIN
    *out = static_cast<int32_t>(torch::cuda::device_count());
    SLDT_END
}

sldt_status sldt_runtime_cuda_synchronize(int32_t device_index) {
    SLDT_BEGIN
    torch::cuda::synchronize(device_index);
    SLDT_END
}

sldt_status sldt_runtime_set_deterministic(int32_t enabled) {
    SLDT_BEGIN
    at::globalContext().setDeterministicAlgorithms(enabled != 0, /*warn_only=*/false);
    SLDT_END
}

sldt_status sldt_runtime_live_tensors(int64_t* out) {
    SLDT_BEGIN
    *out = sldt::live_handles.load(std::memory_order_relaxed);
    SLDT_END
}

sldt_status sldt_autograd_set_grad_enabled(int32_t enabled, int32_t* previous) {
    SLDT_BEGIN
    if (previous != nullptr) *previous = at::GradMode::is_enabled() ? 1 : 0;
    at::GradMode::set_enabled(enabled != 0);
    SLDT_END
}

sldt_status sldt_autograd_is_grad_enabled(int32_t* out) {
    SLDT_BEGIN
    *out = at::GradMode::is_enabled() ? 1 : 0;
    SLDT_END
}

}  // extern "C"
