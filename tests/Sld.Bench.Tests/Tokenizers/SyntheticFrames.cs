// Synthetic frame features for the tokenizer tests, all from DeterministicRandom: Gaussian blobs with known means
// (planted clusters), and utterances of slowly varying sinusoids (frames that repeat units, as speech does).
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Encoders;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tokenizers;

internal static class SyntheticFrames
{
    /// <summary>n frames of dimension d around k means drawn with spread <paramref name="separation"/>, noise sd <paramref name="noise"/>.</summary>
    public static (float[] data, int[] labels, float[] means) Blobs(int n, int d, int k, double separation, double noise, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var means = new float[k * d];
        for (var i = 0; i < means.Length; i++) means[i] = (float)(separation * rng.NextGaussian());
        var data = new float[n * d];
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = i % k;
            for (var j = 0; j < d; j++) data[i * d + j] = means[labels[i] * d + j] + (float)(noise * rng.NextGaussian());
        }
        return (data, labels, means);
    }

    public static Tensor Tensor(float[] data, int d) => torch.tensor(data, data.Length / d, d);

    /// <summary>
    /// Utterances of d-dimensional frames: each dimension a sinusoid of its own frequency and phase, plus noise, held
    /// for a few frames at a time so that nearest-centroid units come in runs.
    /// </summary>
    public static List<(string id, Tensor features)> Utterances(int count, int d, int minFrames, int maxFrames, ulong seed, double noise = 0.05)
    {
        var rng = new DeterministicRandom(seed);
        var result = new List<(string, Tensor)>();
        for (var u = 0; u < count; u++)
        {
            var frames = minFrames + (int)rng.NextLong(maxFrames - minFrames + 1);
            var data = new float[frames * d];
            var freq = Enumerable.Range(0, d).Select(_ => 0.02 + 0.1 * rng.NextDouble()).ToArray();
            var phase = Enumerable.Range(0, d).Select(_ => 2 * Math.PI * rng.NextDouble()).ToArray();
            for (var t = 0; t < frames; t++)
            {
                var held = t / 3 * 3; // the signal changes every third frame
                for (var j = 0; j < d; j++)
                    data[t * d + j] = (float)(Math.Sin(freq[j] * held + phase[j]) + noise * rng.NextGaussian());
            }
            result.Add(($"utt{u:D4}", torch.tensor(data, frames, d).DetachFromDisposeScope()));
        }
        return result;
    }

    public static FrameFeatureSpec Spec(int d, double frameRate = 100) => new("synthetic", d, frameRate);
}
