// torch.nn.functional, torch.nn.init and torch.nn.utils: the stateless half of nn. Modules (the stateful
// half, with parameters) are in the Modules namespace and call these.
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch;

public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

public enum PaddingMode
{
    Constant = 0,
    Reflect = 1,
    Replicate = 2,
}

public static partial class torch
{
    public static partial class nn
    {
        public static class functional
        {
            public static Tensor softmax(Tensor x, long dim) => x.softmax(dim);

            public static Tensor log_softmax(Tensor x, long dim) => x.log_softmax(dim);

            public static Tensor relu(Tensor x) => x.relu();

            /// <summary>GELU; approximate = "tanh" selects the tanh approximation (GPT-2's "gelu_new").</summary>
            public static Tensor gelu(Tensor x, string approximate = "none") => approximate switch
            {
                "none" => Tensor.Wrap(sldt_nn_gelu(x.Handle, 0, out var r), r),
                "tanh" => Tensor.Wrap(sldt_nn_gelu(x.Handle, 1, out var r2), r2),
                _ => throw new ArgumentException($"approximate must be 'none' or 'tanh', got '{approximate}'"),
            };

            public static Tensor silu(Tensor x) => Tensor.Wrap(sldt_nn_silu(x.Handle, out var r), r);

            /// <summary>x @ weight.T + bias, weight (out, in).</summary>
            public static Tensor linear(Tensor x, Tensor weight, Tensor? bias = null)
            {
                var result = Tensor.Wrap(sldt_nn_linear(x.Handle, weight.Handle, Tensor.HandleOrZero(bias), out var r), r);
                GC.KeepAlive(bias);
                return result;
            }

            public static Tensor layer_norm(Tensor x, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var result = Tensor.Wrap(sldt_nn_layer_norm(x.Handle, normalized_shape, normalized_shape.Length,
                    Tensor.HandleOrZero(weight), Tensor.HandleOrZero(bias), eps, out var r), r);
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return result;
            }

            public static Tensor group_norm(Tensor x, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var result = Tensor.Wrap(sldt_nn_group_norm(x.Handle, num_groups, Tensor.HandleOrZero(weight),
                    Tensor.HandleOrZero(bias), eps, out var r), r);
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return result;
            }

            /// <summary>Rows of weight picked by integer indices; padding_idx -1 means none.</summary>
            public static Tensor embedding(Tensor indices, Tensor weight, long padding_idx = -1) =>
                Tensor.Wrap(sldt_nn_embedding(weight.Handle, indices.Handle, padding_idx, out var r), r);

            public static Tensor dropout(Tensor x, double p = 0.5, bool training = true)
            {
                if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
                return Tensor.Wrap(sldt_nn_dropout(x.Handle, p, training ? 1 : 0, out var r), r);
            }

            /// <summary>1-d convolution of (N, C_in, L) by weight (C_out, C_in/groups, K).</summary>
            public static Tensor conv1d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
            {
                var result = Tensor.Wrap(sldt_nn_conv1d(x.Handle, weight.Handle, Tensor.HandleOrZero(bias), stride, padding, dilation, groups, out var r), r);
                GC.KeepAlive(bias);
                return result;
            }

            public static Tensor conv_transpose1d(Tensor x, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                                                  long output_padding = 0, long groups = 1, long dilation = 1)
            {
                var result = Tensor.Wrap(sldt_nn_conv_transpose1d(x.Handle, weight.Handle, Tensor.HandleOrZero(bias), stride, padding,
                    output_padding, groups, dilation, out var r), r);
                GC.KeepAlive(bias);
                return result;
            }

            /// <summary>Pads as F.pad: pads lists (left, right) for the last dim first, then the one before.</summary>
            public static Tensor pad(Tensor x, long[] pads, PaddingMode mode = PaddingMode.Constant, double value = 0) =>
                Tensor.Wrap(sldt_nn_pad(x.Handle, pads, pads.Length, (int)mode, value, out var r), r);

            public static Tensor one_hot(Tensor x, long num_classes = -1) => Tensor.Wrap(sldt_nn_one_hot(x.Handle, num_classes, out var r), r);

            /// <summary>Cross-entropy from logits (N, C) or (N, C, d...) against class indices.</summary>
            public static Tensor cross_entropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                                               long ignore_index = -100, double label_smoothing = 0)
            {
                var result = Tensor.Wrap(sldt_nn_cross_entropy(logits.Handle, target.Handle, Tensor.HandleOrZero(weight), (int)reduction,
                    ignore_index, label_smoothing, out var r), r);
                GC.KeepAlive(weight);
                return result;
            }

            public static Tensor nll_loss(Tensor log_probs, Tensor target, Reduction reduction = Reduction.Mean, long ignore_index = -100) =>
                Tensor.Wrap(sldt_nn_nll_loss(log_probs.Handle, target.Handle, (int)reduction, ignore_index, out var r), r);

            /// <summary>
            /// KL(target || input) with input given as log-probabilities, as F.kl_div. Reduction.Mean averages over
            /// all elements; use Sum and divide by the batch size for PyTorch's 'batchmean'.
            /// </summary>
            public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool log_target = false) =>
                Tensor.Wrap(sldt_nn_kl_div(input.Handle, target.Handle, (int)reduction, log_target ? 1 : 0, out var r), r);

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(sldt_nn_mse_loss(input.Handle, target.Handle, (int)reduction, out var r), r);

            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(sldt_nn_l1_loss(input.Handle, target.Handle, (int)reduction, out var r), r);

            /// <summary>CTC loss of log_probs (T, N, C) against concatenated or padded targets.</summary>
            public static Tensor ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, long blank = 0,
                                          Reduction reduction = Reduction.Mean, bool zero_infinity = false) =>
                Tensor.Wrap(sldt_nn_ctc_loss(log_probs.Handle, targets.Handle, input_lengths.Handle, target_lengths.Handle, blank,
                    (int)reduction, zero_infinity ? 1 : 0, out var r), r);

            /// <summary>softmax(q k^T / sqrt(d) + mask) v over (B, H, T, D); a bool mask marks positions that may attend.</summary>
            public static Tensor scaled_dot_product_attention(Tensor q, Tensor k, Tensor v, Tensor? attn_mask = null, double dropout_p = 0,
                                                              bool is_causal = false)
            {
                var result = Tensor.Wrap(sldt_nn_scaled_dot_product_attention(q.Handle, k.Handle, v.Handle, Tensor.HandleOrZero(attn_mask),
                    dropout_p, is_causal ? 1 : 0, out var r), r);
                GC.KeepAlive(attn_mask);
                return result;
            }

            public static Tensor avg_pool1d(Tensor x, long kernel_size, long? stride = null, long padding = 0) =>
                Tensor.Wrap(sldt_nn_avg_pool1d(x.Handle, kernel_size, stride ?? kernel_size, padding, out var r), r);
        }

        /// <summary>In-place parameter initialisers (run without recording gradients).</summary>
        public static class init
        {
            public static Tensor uniform_(Tensor t, double a = 0, double b = 1)
            {
                using var _ = no_grad();
                return t.uniform_(a, b);
            }

            public static Tensor normal_(Tensor t, double mean = 0, double std = 1)
            {
                using var _ = no_grad();
                return t.normal_(mean, std);
            }

            public static Tensor zeros_(Tensor t)
            {
                using var _ = no_grad();
                return t.zero_();
            }

            public static Tensor ones_(Tensor t)
            {
                using var _ = no_grad();
                return t.fill_(1);
            }

            public static Tensor constant_(Tensor t, double value)
            {
                using var _ = no_grad();
                return t.fill_(value);
            }

            /// <summary>(fan_in, fan_out) as PyTorch computes them: dim 1 and dim 0 times the receptive field.</summary>
            public static (long fanIn, long fanOut) fans(Tensor t)
            {
                var shape = t.shape;
                if (shape.Length < 2) throw new ArgumentException("fan in/out needs a tensor of at least 2 dimensions");
                long receptive = 1;
                for (var i = 2; i < shape.Length; i++) receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }

            /// <summary>PyTorch's kaiming_uniform_ with leaky-relu slope a (Linear/Conv default a = sqrt(5)).</summary>
            public static Tensor kaiming_uniform_(Tensor t, double a = 0)
            {
                var (fanIn, _) = fans(t);
                var gain = Math.Sqrt(2.0 / (1 + a * a));
                var bound = Math.Sqrt(3.0) * gain / Math.Sqrt(fanIn);
                return uniform_(t, -bound, bound);
            }

            public static Tensor xavier_uniform_(Tensor t, double gain = 1)
            {
                var (fanIn, fanOut) = fans(t);
                var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
                return uniform_(t, -bound, bound);
            }
        }

        public static class utils
        {
            /// <summary>Scales gradients so their global norm is at most max_norm; returns the norm before clipping.</summary>
            public static double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2)
            {
                var ps = parameters as IReadOnlyList<Tensor> ?? parameters.ToList();
                var hs = new IntPtr[ps.Count];
                for (var i = 0; i < ps.Count; i++) hs[i] = ps[i].Handle.DangerousGetHandle();
                Check(sldt_optim_clip_grad_norm(hs, hs.Length, max_norm, norm_type, out var total));
                GC.KeepAlive(ps);
                return total;
            }
        }
    }
}
