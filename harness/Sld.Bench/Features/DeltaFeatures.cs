// Kaldi's add-deltas: time derivatives of order 1..k appended to each frame. Each order's filter is the
// previous one convolved with the regression window [-w..w] / sum(j^2), applied to the original features
// with the first and last frames repeated at the edges (Kaldi's DeltaFeatures, not deltas of deltas).
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public static class DeltaFeatures
{
    /// <summary>Filter taps for each order 0..order (order 0 is [1]); order i has 2*i*window+1 taps.</summary>
    public static double[][] Scales(int order, int window)
    {
        var scales = new double[order + 1][];
        scales[0] = [1.0];
        var normalizer = 0.0;
        for (var j = -window; j <= window; j++) normalizer += j * j;
        for (var i = 1; i <= order; i++)
        {
            var previous = scales[i - 1];
            int previousOffset = (previous.Length - 1) / 2, offset = previousOffset + window;
            var current = new double[2 * offset + 1];
            for (var j = -window; j <= window; j++)
            for (var k = -previousOffset; k <= previousOffset; k++)
                current[j + k + offset] += j * previous[k + previousOffset] / normalizer;
            scales[i] = current;
        }
        return scales;
    }

    /// <summary>(T, D) features -> (T, D * (order + 1)): [x, delta, delta-delta, ...].</summary>
    public static Tensor Add(Tensor features, int order, int window = 2)
    {
        if (order == 0) return features;
        var scales = Scales(order, window);
        var maxOffset = order * window;
        var taps = 2 * maxOffset + 1;
        var kernel = new float[order * taps]; // order i's taps, centred in a common width
        for (var i = 1; i <= order; i++)
        {
            var s = scales[i];
            var shift = maxOffset - (s.Length - 1) / 2;
            for (var j = 0; j < s.Length; j++) kernel[(i - 1) * taps + shift + j] = (float)s[j];
        }
        // (T, D) -> (D, 1, T), replicate-pad time, one conv1d producing `order` channels per feature.
        var x = features.t().unsqueeze(1);
        var padded = torch.nn.functional.pad(x, [maxOffset, maxOffset], PaddingModes.Replicate);
        using var weights = torch.tensor(kernel, order, 1, taps).to(features.device).to(features.dtype);
        var deltas = torch.nn.functional.conv1d(padded, weights); // (D, order, T)
        var parts = new List<Tensor> { features };
        for (var i = 0; i < order; i++) parts.Add(deltas.select(1, i).t()); // (T, D)
        return torch.cat(parts, 1);
    }
}
