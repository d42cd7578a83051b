// P/Invoke declarations for the shim's nn exports (sldt_nn_*), one per C export in sldtorch.h.
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Lib)]
    internal static partial int sldt_nn_softmax(TensorHandle t, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_log_softmax(TensorHandle t, long dim, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_relu(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_gelu(TensorHandle t, int tanh_approximation, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_silu(TensorHandle t, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_linear(TensorHandle x, TensorHandle w, IntPtr b, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_layer_norm(TensorHandle x, ReadOnlySpan<long> normalized_shape, int ndim, IntPtr w, IntPtr b, double eps, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_group_norm(TensorHandle x, long num_groups, IntPtr w, IntPtr b, double eps, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_embedding(TensorHandle weight, TensorHandle indices, long padding_idx, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_dropout(TensorHandle t, double p, int train, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_conv1d(TensorHandle x, TensorHandle w, IntPtr b, long stride, long padding, long dilation, long groups, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_conv_transpose1d(TensorHandle x, TensorHandle w, IntPtr b, long stride, long padding, long output_padding, long groups, long dilation, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_pad(TensorHandle t, ReadOnlySpan<long> pads, int npads, int mode, double value, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_one_hot(TensorHandle t, long num_classes, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_cross_entropy(TensorHandle logits, TensorHandle target, IntPtr weight, int reduction, long ignore_index, double label_smoothing, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_nll_loss(TensorHandle log_probs, TensorHandle target, int reduction, long ignore_index, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_kl_div(TensorHandle input, TensorHandle target, int reduction, int log_target, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_mse_loss(TensorHandle input, TensorHandle target, int reduction, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_l1_loss(TensorHandle input, TensorHandle target, int reduction, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_ctc_loss(TensorHandle log_probs, TensorHandle targets, TensorHandle input_lengths, TensorHandle target_lengths, long blank, int reduction, int zero_infinity, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_scaled_dot_product_attention(TensorHandle q, TensorHandle k, TensorHandle v, IntPtr attn_mask, double dropout_p, int is_causal, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_stft(TensorHandle x, long n_fft, long hop_length, long win_length, IntPtr window, int center, int pad_mode_reflect, int normalized, int onesided, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_multinomial(TensorHandle probs, long num_samples, int replacement, out IntPtr @out);

    [LibraryImport(Lib)]
    internal static partial int sldt_nn_avg_pool1d(TensorHandle x, long kernel, long stride, long padding, out IntPtr @out);
}
