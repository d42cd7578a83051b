// Neural-network function exports: activations, normalisation, embedding, dropout, convolution, losses,
// attention, STFT and sampling.
#include "shim.h"

#include <cmath>
#include <limits>

using sldt::ints;
using sldt::opt;
using sldt::T;
using sldt::wrap;

extern "C" {

sldt_status sldt_nn_softmax(sldt_tensor t, int64_t dim, sldt_tensor* out) { SLDT_RETURN(at::softmax(T(t), dim)) }

sldt_status sldt_nn_log_softmax(sldt_tensor t, int64_t dim, sldt_tensor* out) {
    SLDT_RETURN(at::log_softmax(T(t), dim))
}

sldt_status sldt_nn_relu(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(at::relu(T(t))) }

sldt_status sldt_nn_gelu(sldt_tensor t, int32_t tanh_approximation, sldt_tensor* out) {
    SLDT_RETURN(at::gelu(T(t), tanh_approximation != 0 ? "tanh" : "none"))
}

sldt_status sldt_nn_silu(sldt_tensor t, sldt_tensor* out) { SLDT_RETURN(at::silu(T(t))) }

sldt_status sldt_nn_linear(sldt_tensor x, sldt_tensor w, sldt_tensor b, sldt_tensor* out) {
    SLDT_RETURN(at::linear(T(x), T(w), opt(b)))
}

sldt_status sldt_nn_layer_norm(sldt_tensor x, const int64_t* normalized_shape, int32_t ndim, sldt_tensor w,
                               sldt_tensor b, double eps, sldt_tensor* out) {
    SLDT_RETURN(at::layer_norm(T(x), ints(normalized_shape, ndim), opt(w), opt(b), eps))
}

sldt_status sldt_nn_group_norm(sldt_tensor x, int64_t num_groups, sldt_tensor w, sldt_tensor b, double eps,
                               sldt_tensor* out) {
    SLDT_RETURN(at::group_norm(T(x), num_groups, opt(w), opt(b), eps))
}

sldt_status sldt_nn_embedding(sldt_tensor weight, sldt_tensor indices, int64_t padding_idx, sldt_tensor* out) {
    SLDT_RETURN(at::embedding(T(weight), T(indices), padding_idx))
}

sldt_status sldt_nn_dropout(sldt_tensor t, double p, int32_t train, sldt_tensor* out) {
    SLDT_RETURN(at::dropout(T(t), p, train != 0))
}

sldt_status sldt_nn_conv1d(sldt_tensor x, sldt_tensor w, sldt_tensor b, int64_t stride, int64_t padding,
                           int64_t dilation, int64_t groups, sldt_tensor* out) {
    SLDT_RETURN(at::conv1d(T(x), T(w), opt(b), {stride}, {padding}, {dilation}, groups))
}

sldt_status sldt_nn_conv_transpose1d(sldt_tensor x, sldt_tensor w, sldt_tensor b, int64_t stride, int64_t padding,
                                     int64_t output_padding, int64_t groups, int64_t dilation, sldt_tensor* out) {
    SLDT_RETURN(at::conv_transpose1d(T(x), T(w), opt(b), {stride}, {padding}, {output_padding}, groups, {dilation}))
}

sldt_status sldt_nn_pad(sldt_tensor t, const int64_t* pads, int32_t npads, int32_t mode, double value,
                        sldt_tensor* out) {
    SLDT_BEGIN
    const auto& x = T(t);
    auto p = ints(pads, npads);
    switch (mode) {
        case 0:
            *out = wrap(at::constant_pad_nd(x, p, value));
            break;
        case 1:
            if (npads != 2) throw std::invalid_argument("reflect padding supports the last dimension only (2 pads)");
            *out = wrap(at::reflection_pad1d(x, p));
            break;
        case 2:
            if (npads != 2) throw std::invalid_argument("replicate padding supports the last dimension only (2 pads)");
            *out = wrap(at::replication_pad1d(x, p));
            break;
        default:
            throw std::invalid_argument("unknown pad mode " + std::to_string(mode));
    }
    SLDT_END
}

sldt_status sldt_nn_one_hot(sldt_tensor t, int64_t num_classes, sldt_tensor* out) {
    SLDT_RETURN(at::one_hot(T(t), num_classes))
}

sldt_status sldt_nn_cross_entropy(sldt_tensor logits, sldt_tensor target, sldt_tensor weight, int32_t reduction,
                                  int64_t ignore_index, double label_smoothing, sldt_tensor* out) {
    SLDT_RETURN(at::cross_entropy_loss(T(logits), T(target), opt(weight), sldt::reduction(reduction), ignore_index,
                                       label_smoothing))
}

sldt_status sldt_nn_nll_loss(sldt_tensor log_probs, sldt_tensor target, int32_t reduction, int64_t ignore_index,
                             sldt_tensor* out) {
    SLDT_RETURN(at::nll_loss_nd(T(log_probs), T(target), {}, sldt::reduction(reduction), ignore_index))
}

sldt_status sldt_nn_kl_div(sldt_tensor input, sldt_tensor target, int32_t reduction, int32_t log_target,
                           sldt_tensor* out) {
    SLDT_RETURN(at::kl_div(T(input), T(target), sldt::reduction(reduction), log_target != 0))
}

sldt_status sldt_nn_mse_loss(sldt_tensor input, sldt_tensor target, int32_t reduction, sldt_tensor* out) {
    SLDT_RETURN(at::mse_loss(T(input), T(target), sldt::reduction(reduction)))
}

sldt_status sldt_nn_l1_loss(sldt_tensor input, sldt_tensor target, int32_t reduction, sldt_tensor* out) {
    SLDT_RETURN(at::l1_loss(T(input), T(target), sldt::reduction(reduction)))
}

sldt_status sldt_nn_ctc_loss(sldt_tensor log_probs, sldt_tensor targets, sldt_tensor input_lengths,
                             sldt_tensor target_lengths, int64_t blank, int32_t reduction, int32_t zero_infinity,
                             sldt_tensor* out) {
    SLDT_RETURN(at::ctc_loss(T(log_probs), T(targets), T(input_lengths), T(target_lengths), blank,
                             sldt::reduction(reduction), zero_infinity != 0))
}

sldt_status sldt_nn_scaled_dot_product_attention(sldt_tensor q_, sldt_tensor k_, sldt_tensor v_,
                                                 sldt_tensor attn_mask, double dropout_p, int32_t is_causal,
                                                 sldt_tensor* out) {
    SLDT_BEGIN
    const auto& q = T(q_);
    const auto& k = T(k_);
    const auto& v = T(v_);
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    auto scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale);  // (B, H, L, S)
    const double neg_inf = -std::numeric_limits<double>::infinity();
    if (is_causal != 0) {
        const int64_t L = q.size(-2), S = k.size(-2);
        auto future = at::ones({L, S}, at::TensorOptions().dtype(at::kBool).device(q.device())).triu(1);
        scores.masked_fill_(future, neg_inf);
    }
    if (attn_mask != nullptr) {
        const auto& m = T(attn_mask);
        if (m.scalar_type() == at::kBool) scores.masked_fill_(m.logical_not(), neg_inf);  // True = may attend
        else scores = scores + m;
    }
    auto probs = at::softmax(scores, -1);
    if (dropout_p > 0.0) probs = at::dropout(probs, dropout_p, true);
    *out = wrap(at::matmul(probs, v));
    SLDT_END
}

sldt_status sldt_nn_stft(sldt_tensor x, int64_t n_fft, int64_t hop_length, int64_t win_length, sldt_tensor window,
                         int32_t center, int32_t pad_mode_reflect, int32_t normalized, int32_t onesided,
                         sldt_tensor* out) {
    SLDT_RETURN(at::stft(T(x), n_fft, hop_length, win_length, opt(window), center != 0,
                         pad_mode_reflect != 0 ? "reflect" : "constant", normalized != 0, onesided != 0,
                         /*return_complex=*/true))
}

sldt_status sldt_nn_multinomial(sldt_tensor probs, int64_t num_samples, int32_t replacement, sldt_tensor* out) {
    SLDT_RETURN(at::multinomial(T(probs), num_samples, replacement != 0))
}

sldt_status sldt_nn_avg_pool1d(sldt_tensor x, int64_t kernel, int64_t stride, int64_t padding, sldt_tensor* out) {
    SLDT_RETURN(at::avg_pool1d(T(x), {kernel}, {stride}, {padding}))
}

}  // extern "C"
