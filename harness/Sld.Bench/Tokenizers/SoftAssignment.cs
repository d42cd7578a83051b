// Soft token assignment at inference (Onda et al.): p(k|x_t) = softmax_k(-D_k(x_t) / tau), with D the squared or
// the plain Euclidean distance to centroid k (which one the paper used is open, so it is a setting). As tau -> 0
// the distribution becomes the one-hot of the hard (nearest-centroid) id. The model then embeds a frame as
// sum_k p(k|x_t) E_k instead of E[argmin_k D_k].
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public enum SoftDistance
{
    /// <summary>D = |x - c|^2.</summary>
    Squared,

    /// <summary>D = |x - c|.</summary>
    Euclidean,
}

/// <param name="Temperature">tau > 0; the paper tuned 8.0 (clean) and 13.5 (non-native) for WavLM features.</param>
public sealed record SoftAssignmentOptions(double Temperature, SoftDistance Distance = SoftDistance.Squared)
{
    public void Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentException($"soft assignment temperature must be positive and finite, got {Temperature}");
    }
}

public static class SoftAssignment
{
    /// <summary>(T, K) float32 distributions for frames (T, D) against centroids (K, D).</summary>
    public static Tensor Probabilities(Tensor features, Tensor centroids, SoftAssignmentOptions options)
    {
        options.Validate();
        using var scope = torch.NewDisposeScope();
        var d = CentroidDistances.Squared(features, centroids); // (T, K)
        if (options.Distance == SoftDistance.Euclidean) d = d.sqrt();
        // softmax subtracts the row maximum, so a tiny tau saturates to one-hot instead of overflowing.
        return d.div(-options.Temperature).softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Averages per-frame distributions (T, K) over each token's frame span (our extension for dedup: a run of equal
    /// units becomes one token whose distribution is the mean over the run). Rows still sum to 1.
    /// </summary>
    public static Tensor PoolOverTokens(Tensor perFrame, TokenSequence tokens)
    {
        if (perFrame.size(0) != tokens.Frames)
            throw new ArgumentException($"{perFrame.size(0)} frame distributions for a sequence of {tokens.Frames} frames");
        using var scope = torch.NewDisposeScope();
        var owner = new long[tokens.Frames];
        for (var i = 0; i < tokens.Length; i++)
            Array.Fill(owner, i, tokens.FrameStarts[i], tokens.FrameCounts[i]);
        var sums = torch.zeros([tokens.Length, perFrame.size(1)], perFrame.dtype, perFrame.device);
        sums.index_put_(perFrame, [torch.tensor(owner).to(perFrame.device)], accumulate: true);
        var counts = torch.tensor(tokens.FrameCounts.Select(c => (float)c).ToArray()).to(perFrame.device).unsqueeze(1);
        return sums.div(counts).MoveToOuterDisposeScope();
    }
}
