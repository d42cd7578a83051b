// Optimiser exports: whole-list parameter updates in one call, so a training step crosses the C ABI once
// for the update instead of a dozen times per parameter. The arithmetic follows torch.optim's
// single-tensor implementations (AdamW, SGD) and torch.nn.utils.clip_grad_norm_.
#include "shim.h"

#include <cmath>
#include <limits>

using sldt::T;

extern "C" {

sldt_status sldt_optim_adamw_step(const sldt_tensor* params, const sldt_tensor* exp_avg, const sldt_tensor* exp_avg_sq,
                                  int32_t n, double lr, double beta1, double beta2, double eps, double weight_decay,
                                  int64_t step) {
    SLDT_BEGIN
    if (step < 1) throw std::invalid_argument("AdamW step count must start at 1");
    at::NoGradGuard no_grad;
    const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
    const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(step));
    const double step_size = lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    for (int32_t i = 0; i < n; ++i) {
        auto p = T(params[i]);
        const auto& grad = p.grad();
        if (!grad.defined()) continue;
        auto m = T(exp_avg[i]);
        auto v = T(exp_avg_sq[i]);
        if (weight_decay != 0.0) p.mul_(1.0 - lr * weight_decay);
        m.mul_(beta1).add_(grad, 1.0 - beta1);
        v.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
        auto denom = (v.sqrt() / bias_correction2_sqrt).add_(eps);
        p.addcdiv_(m, denom, -step_size);
    }
    SLDT_END
}

sldt_status sldt_optim_sgd_step(const sldt_tensor* params, const sldt_tensor* momentum_buf, int32_t n, double lr,
                                double momentum, double weight_decay) {
    SLDT_BEGIN
    at::NoGradGuard no_grad;
    for (int32_t i = 0; i < n; ++i) {
        auto p = T(params[i]);
        const auto& grad = p.grad();
        if (!grad.defined()) continue;
        at::Tensor d = weight_decay != 0.0 ? grad.add(p, weight_decay) : grad;
        if (momentum != 0.0) {
            if (momentum_buf == nullptr || momentum_buf[i] == nullptr)
                throw std::invalid_argument("SGD with momentum needs a momentum buffer per parameter");
            auto buf = T(momentum_buf[i]);
            buf.mul_(momentum).add_(d);
            d = buf;
        }
        p.add_(d, -lr);
    }
    SLDT_END
}

sldt_status sldt_optim_clip_grad_norm(const sldt_tensor* params, int32_t n, double max_norm, double norm_type,
                                      double* total_norm) {
    SLDT_BEGIN
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int32_t i = 0; i < n; ++i) {
        const auto& g = T(params[i]).grad();
        if (g.defined()) grads.push_back(g);
    }
    if (grads.empty()) {
        *total_norm = 0.0;
        return 0;
    }
    at::Tensor norm;
    if (std::isinf(norm_type)) {
        std::vector<at::Tensor> maxes;
        for (const auto& g : grads) maxes.push_back(g.detach().abs().max());
        norm = at::stack(maxes).max();
    } else {
        std::vector<at::Tensor> norms;
        for (const auto& g : grads) norms.push_back(at::norm(g.detach(), norm_type));
        norm = at::norm(at::stack(norms), norm_type);
    }
    auto clip_coef = at::clamp(max_norm / (norm + 1e-6), c10::nullopt, 1.0);
    for (auto& g : grads) {
        auto target = g.detach();
        target.mul_(clip_coef.to(g.device()));
    }
    *total_norm = norm.item<double>();
    SLDT_END
}

}  // extern "C"
