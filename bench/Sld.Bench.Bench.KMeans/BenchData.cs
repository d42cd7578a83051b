// The frames both implementations cluster: a seeded mixture of Gaussian blobs of unequal size and spread
// (more blobs than centroids, as speech frames are), written once as a .npy file for scikit-learn and kept
// in memory as a tensor for Sld.Bench.
using Sld.Bench.Shared.Statistics;
using System.Text;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Bench.KMeans;

public static class BenchData
{
    public static float[] Generate(int frames, int dims, int blobs, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var centers = new float[blobs * dims];
        for (var i = 0; i < centers.Length; i++) centers[i] = (float)(3 * rng.NextGaussian());
        var spread = new double[blobs];
        var weight = new double[blobs];
        for (var b = 0; b < blobs; b++)
        {
            spread[b] = 0.5 + rng.NextDouble();
            weight[b] = 1.0 / (b + 10); // Zipf-like: a few common blobs, many rare ones
        }
        var cumulative = new double[blobs];
        double total = 0;
        for (var b = 0; b < blobs; b++) cumulative[b] = total += weight[b];
        var data = new float[frames * dims];
        for (var f = 0; f < frames; f++)
        {
            var u = rng.NextDouble() * total;
            var b = Array.BinarySearch(cumulative, u);
            b = b < 0 ? Math.Min(~b, blobs - 1) : b;
            for (var d = 0; d < dims; d++)
                data[f * dims + d] = centers[b * dims + d] + (float)(spread[b] * rng.NextGaussian());
        }
        return data;
    }

    public static Tensor ToTensor(float[] data, int frames, int dims) => torch.tensor(data, frames, dims);

    /// <summary>Writes a C-order float32 (frames, dims) array in numpy's .npy format (version 1.0).</summary>
    public static void WriteNpy(string path, float[] data, int frames, int dims)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({frames}, {dims}), }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)header.Length));
        file.Write(Encoding.ASCII.GetBytes(header));
        file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
    }
}
