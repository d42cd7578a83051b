// Gradient checks for the nn functional exports (sldt_nn_*): activations, normalisation, embedding, dropout,
// convolution, padding, pooling, losses, attention and the STFT, against finite differences. Integer inputs
// (targets, indices, lengths) and masks are held fixed; every float64 input the op differentiates is checked.
using static Sld.Bench.Torch.Tests.GradCheck;
using F = Sld.Bench.Torch.torch.nn.functional;

namespace Sld.Bench.Torch.Tests;

public class GradCheckNNTests
{
    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        using var scope = torch.NewDisposeScope();
        Verify("softmax dim 1", xs => F.softmax(xs[0], 1), Uniform(1, -2, 2, 3, 4));
        Verify("softmax dim 0", xs => xs[0].softmax(0), Uniform(2, -2, 2, 3, 4));
        Verify("log_softmax", xs => F.log_softmax(xs[0], -1), Uniform(3, -2, 2, 2, 3, 4));
    }

    [Fact]
    public void Activations()
    {
        using var scope = torch.NewDisposeScope();
        Verify("relu", xs => F.relu(xs[0]), AwayFromZero(1, 0.1, 2, 3, 4));
        Verify("gelu", xs => F.gelu(xs[0]), Uniform(2, -3, 3, 3, 4));
        Verify("gelu tanh", xs => F.gelu(xs[0], "tanh"), Uniform(3, -3, 3, 3, 4));
        Verify("silu", xs => F.silu(xs[0]), Uniform(4, -3, 3, 3, 4));
    }

    [Fact]
    public void LinearWithAndWithoutBias()
    {
        using var scope = torch.NewDisposeScope();
        Verify("linear", xs => F.linear(xs[0], xs[1], xs[2]), Rand(1, 2, 3, 4), Rand(2, 5, 4), Rand(3, 5));
        Verify("linear no bias", xs => F.linear(xs[0], xs[1]), Rand(4, 3, 4), Rand(5, 2, 4));
    }

    [Fact]
    public void LayerNormWithAndWithoutAffine()
    {
        using var scope = torch.NewDisposeScope();
        Verify("layer_norm", xs => F.layer_norm(xs[0], [4]), Rand(1, 2, 3, 4));
        Verify("layer_norm affine 2-d shape", xs => F.layer_norm(xs[0], [3, 4], xs[1], xs[2]),
            Rand(2, 2, 3, 4), Uniform(3, 0.5, 1.5, 3, 4), Rand(4, 3, 4));
    }

    [Fact]
    public void GroupNormWithAndWithoutAffine()
    {
        using var scope = torch.NewDisposeScope();
        Verify("group_norm", xs => F.group_norm(xs[0], 2), Rand(1, 2, 4, 3));
        Verify("group_norm affine", xs => F.group_norm(xs[0], 2, xs[1], xs[2]), Rand(2, 2, 4, 3), Uniform(3, 0.5, 1.5, 4), Rand(4, 4));
    }

    [Fact]
    public void EmbeddingGradientAccumulatesRepeatedRows()
    {
        using var scope = torch.NewDisposeScope();
        var indices = Longs([0, 2, 2, 4, 1, 0], 2, 3);
        Verify("embedding", xs => F.embedding(indices, xs[0]), Rand(1, 5, 3));
    }

    [Fact]
    public void EmbeddingPaddingRowGetsNoGradient()
    {
        using var scope = torch.NewDisposeScope();
        // padding_idx changes only the backward pass (the row is still read), so finite differences would
        // disagree by design; check the documented behaviour: every other row's gradient is the count of uses.
        var weight = Rand(1, 4, 2).requires_grad_();
        var indices = Longs([1, 3, 1, 0, 3, 3]);
        F.embedding(indices, weight, padding_idx: 3).sum().backward();
        Assert.Equal(new double[] { 1, 1, 2, 2, 0, 0, 0, 0 }, weight.grad!.ToArray<double>());
    }

    [Fact]
    public void DropoutIsIdentityWhenOffOrZero()
    {
        using var scope = torch.NewDisposeScope();
        Verify("dropout p=0", xs => F.dropout(xs[0], 0), Rand(1, 3, 4));
        Verify("dropout eval", xs => F.dropout(xs[0], 0.5, training: false), Rand(2, 3, 4));
    }

    [Fact]
    public void Conv1dStridePaddingDilationGroups()
    {
        using var scope = torch.NewDisposeScope();
        Verify("conv1d stride 2 padding 1", xs => F.conv1d(xs[0], xs[1], xs[2], stride: 2, padding: 1),
            Rand(1, 2, 3, 7), Rand(2, 4, 3, 3), Rand(3, 4));
        Verify("conv1d dilation 2 groups 2", xs => F.conv1d(xs[0], xs[1], dilation: 2, groups: 2),
            Rand(4, 2, 4, 7), Rand(5, 6, 2, 2));
    }

    [Fact]
    public void ConvTranspose1d()
    {
        using var scope = torch.NewDisposeScope();
        // weight is (C_in, C_out / groups, K) for a transposed convolution.
        Verify("conv_transpose1d stride 2 padding 1 output_padding 1",
            xs => F.conv_transpose1d(xs[0], xs[1], xs[2], stride: 2, padding: 1, output_padding: 1),
            Rand(1, 2, 3, 4), Rand(2, 3, 2, 3), Rand(3, 2));
        Verify("conv_transpose1d groups 2 dilation 2", xs => F.conv_transpose1d(xs[0], xs[1], groups: 2, dilation: 2),
            Rand(4, 1, 4, 4), Rand(5, 4, 1, 2));
    }

    [Fact]
    public void PadConstantReflectReplicate()
    {
        using var scope = torch.NewDisposeScope();
        Verify("pad constant 2 dims", xs => F.pad(xs[0], [1, 2, 0, 1], PaddingMode.Constant, 0.5), Rand(1, 2, 3));
        Verify("pad reflect", xs => F.pad(xs[0], [2, 1], PaddingMode.Reflect), Rand(2, 2, 3, 5));
        Verify("pad replicate", xs => F.pad(xs[0], [1, 3], PaddingMode.Replicate), Rand(3, 2, 3, 4));
    }

    [Fact]
    public void AvgPool1d()
    {
        using var scope = torch.NewDisposeScope();
        Verify("avg_pool1d", xs => F.avg_pool1d(xs[0], 3, 2, 1), Rand(1, 2, 3, 7));
        Verify("avg_pool1d default stride", xs => F.avg_pool1d(xs[0], 2), Rand(2, 1, 2, 6));
    }

    // ---- losses ----

    [Fact]
    public void CrossEntropyVariants()
    {
        using var scope = torch.NewDisposeScope();
        var target = Longs([2, 0, 3, 1]);
        var weight = torch.tensor(new double[] { 0.5, 1, 2, 1.5 });
        Verify("cross_entropy mean", xs => F.cross_entropy(xs[0], target), Rand(1, 4, 4));
        Verify("cross_entropy sum weighted", xs => F.cross_entropy(xs[0], target, weight, Reduction.Sum), Rand(2, 4, 4));
        Verify("cross_entropy none", xs => F.cross_entropy(xs[0], target, reduction: Reduction.None), Rand(3, 4, 4));
        Verify("cross_entropy ignore_index", xs => F.cross_entropy(xs[0], target, ignore_index: 3), Rand(4, 4, 4));
        Verify("cross_entropy label_smoothing", xs => F.cross_entropy(xs[0], target, label_smoothing: 0.1), Rand(5, 4, 4));
        Verify("cross_entropy weighted smoothed ignore mean",
            xs => F.cross_entropy(xs[0], target, weight, ignore_index: 0, label_smoothing: 0.2), Rand(6, 4, 4));
        Verify("cross_entropy (N, C, d)", xs => F.cross_entropy(xs[0], Longs([0, 2, 1, 1, 2, 0], 2, 3)), Rand(7, 2, 3, 3));
    }

    [Fact]
    public void NllLossVariants()
    {
        using var scope = torch.NewDisposeScope();
        var target = Longs([1, 0, 2, 2]);
        Verify("nll_loss mean", xs => F.nll_loss(xs[0].log_softmax(1), target), Rand(1, 4, 3));
        Verify("nll_loss sum", xs => F.nll_loss(xs[0], target, Reduction.Sum), Rand(2, 4, 3));
        Verify("nll_loss none ignore_index", xs => F.nll_loss(xs[0], target, Reduction.None, ignore_index: 2), Rand(3, 4, 3));
        Verify("nll_loss mean ignore_index", xs => F.nll_loss(xs[0], target, ignore_index: 0), Rand(4, 4, 3));
    }

    [Fact]
    public void KlDivBothTargetForms()
    {
        using var scope = torch.NewDisposeScope();
        // Probability targets must stay positive (their log is taken); log-space targets can be anything.
        Verify("kl_div mean", xs => F.kl_div(xs[0], xs[1]), Rand(1, 3, 4), Uniform(2, 0.1, 1, 3, 4));
        Verify("kl_div sum", xs => F.kl_div(xs[0], xs[1], Reduction.Sum), Rand(3, 3, 4), Uniform(4, 0.1, 1, 3, 4));
        Verify("kl_div log_target none", xs => F.kl_div(xs[0], xs[1], Reduction.None, log_target: true), Rand(5, 3, 4), Rand(6, 3, 4));
        Verify("kl_div log_target mean", xs => F.kl_div(xs[0], xs[1], log_target: true), Rand(7, 3, 4), Rand(8, 3, 4));
    }

    [Fact]
    public void MseAndL1Loss()
    {
        using var scope = torch.NewDisposeScope();
        Verify("mse_loss mean", xs => F.mse_loss(xs[0], xs[1]), Rand(1, 3, 4), Rand(2, 3, 4));
        Verify("mse_loss sum", xs => F.mse_loss(xs[0], xs[1], Reduction.Sum), Rand(3, 3, 4), Rand(4, 3, 4));
        Verify("mse_loss none", xs => F.mse_loss(xs[0], xs[1], Reduction.None), Rand(5, 3, 4), Rand(6, 3, 4));
        // |input - target| has a kink at 0: the target is the input shifted by at least 0.1 either way.
        var input = Rand(7, 3, 4);
        var target = input + AwayFromZero(8, 0.1, 1, 3, 4);
        Verify("l1_loss mean", xs => F.l1_loss(xs[0], xs[1]), input, target);
        Verify("l1_loss sum", xs => F.l1_loss(xs[0], xs[1], Reduction.Sum), input, target);
        Verify("l1_loss none", xs => F.l1_loss(xs[0], xs[1], Reduction.None), input, target);
    }

    [Fact]
    public void CtcLossThroughLogSoftmax()
    {
        using var scope = torch.NewDisposeScope();
        // libtorch's CTC backward returns the gradient for normalised log-probabilities (it folds in the
        // softmax term exp(lp)), so the check differentiates through log_softmax as training code does.
        var targets = Longs([1, 2, 2, 3, 1, 0], 2, 3);
        var inputLengths = Longs([6, 5]);
        var targetLengths = Longs([3, 2]);
        Verify("ctc_loss mean", xs => F.ctc_loss(xs[0].log_softmax(2), targets, inputLengths, targetLengths), Rand(1, 6, 2, 4));
        Verify("ctc_loss sum blank 3",
            xs => F.ctc_loss(xs[0].log_softmax(2), Longs([1, 2, 0, 0, 1, 0], 2, 3), inputLengths, targetLengths, blank: 3, reduction: Reduction.Sum),
            Rand(2, 6, 2, 4));
        Verify("ctc_loss none", xs => F.ctc_loss(xs[0].log_softmax(2), targets, inputLengths, targetLengths, reduction: Reduction.None),
            Rand(3, 6, 2, 4));
    }

    // ---- attention ----

    [Fact]
    public void ScaledDotProductAttentionPlain()
    {
        using var scope = torch.NewDisposeScope();
        Verify("sdpa", xs => F.scaled_dot_product_attention(xs[0], xs[1], xs[2]), Rand(1, 1, 2, 3, 4), Rand(2, 1, 2, 3, 4), Rand(3, 1, 2, 3, 4));
    }

    [Fact]
    public void ScaledDotProductAttentionCausal()
    {
        using var scope = torch.NewDisposeScope();
        Verify("sdpa causal", xs => F.scaled_dot_product_attention(xs[0], xs[1], xs[2], is_causal: true),
            Rand(1, 1, 2, 3, 4), Rand(2, 1, 2, 3, 4), Rand(3, 1, 2, 3, 4));
    }

    [Fact]
    public void ScaledDotProductAttentionBoolMask()
    {
        using var scope = torch.NewDisposeScope();
        // True marks a key a query may attend to; every row keeps at least one.
        var mask = Bools([true, false, true, false, true, true, true, false, false], 3, 3);
        Verify("sdpa bool mask", xs => F.scaled_dot_product_attention(xs[0], xs[1], xs[2], mask),
            Rand(1, 1, 2, 3, 4), Rand(2, 1, 2, 3, 4), Rand(3, 1, 2, 3, 4));
    }

    [Fact]
    public void ScaledDotProductAttentionAdditiveMaskIsDifferentiable()
    {
        using var scope = torch.NewDisposeScope();
        Verify("sdpa additive mask", xs => F.scaled_dot_product_attention(xs[0], xs[1], xs[2], xs[3]),
            Rand(1, 1, 2, 3, 4), Rand(2, 1, 2, 3, 4), Rand(3, 1, 2, 3, 4), Rand(4, 3, 3));
    }

    // ---- spectral ----

    [Fact]
    public void StftAsRealAndMagnitudeWithDifferentiableWindow()
    {
        using var scope = torch.NewDisposeScope();
        Verify("stft view_as_real", xs => torch.stft(xs[0], 8, 2, window: xs[1]).view_as_real(), Rand(1, 2, 16), Uniform(2, 0.2, 1, 8));
        Verify("stft magnitude", xs => torch.stft(xs[0], 8, 3, window: xs[1], center: false).abs(), Rand(3, 16), Uniform(4, 0.2, 1, 8));
        Verify("stft constant pad normalized", xs => torch.stft(xs[0], 6, 2, pad_mode: "constant", normalized: true).view_as_real(), Rand(5, 12));
    }
}
