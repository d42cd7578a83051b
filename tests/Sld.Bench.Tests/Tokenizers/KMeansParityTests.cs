// KMeans against scikit-learn on the same frames (tests/reference/kmeans_reference.py): Lloyd from the same
// initial centroids agrees to float rounding, and with each side's own k-means++ (or mini-batch) the final
// inertia is within 1% of scikit-learn's, averaged over three seeds on each side.
using Sld.Bench.Features;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Testing;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class KMeansParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sldbench-kmeans-parity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFrames(string name, float[] data, int d)
    {
        var path = Path.Combine(_dir, name);
        NpyFile.Write(path, data, data.Length / d, d);
        return path;
    }

    private static JsonElement Reference(params string[] args) => JsonDocument.Parse(ReferencePython.Run("kmeans_reference.py", args)).RootElement;

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void LloydFromTheSameInitialCentroidsMatchesScikitLearn()
    {
        using var scope = torch.NewDisposeScope();
        var (data, _, _) = SyntheticFrames.Blobs(3000, 8, 30, separation: 2, noise: 1, seed: 11);
        var x = SyntheticFrames.Tensor(data, 8);
        var options = new KMeansOptions(16, MaxIterations: 10, Tolerance: 0, Seed: 4);
        var init = KMeans.Initialize(x, options);
        var ours = KMeans.Fit(x, options, initialCenters: init);

        var initPath = Path.Combine(_dir, "init.npy");
        NpyFile.Write(initPath, init.ToArray<float>(), 16, 8);
        var centersPath = Path.Combine(_dir, "centers.npy");
        var reference = Reference("lloyd-from-init", WriteFrames("x.npy", data, 8), initPath, "10", centersPath);
        var (centers, _) = NpyFile.Read(centersPath);

        var theirs = reference.GetProperty("inertia").GetDouble();
        output.WriteLine($"inertia ours {ours.Inertia:R} sklearn {theirs:R}, iterations {ours.Iterations} / {reference.GetProperty("iterations").GetInt64()}");
        Assert.InRange(Math.Abs(ours.Inertia / theirs - 1), 0, 1e-5);
        Assert.Equal(reference.GetProperty("iterations").GetInt64(), ours.Iterations);
        var diff = ours.Centers.ToArray<float>().Zip(centers, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(diff, 0, 1e-4);
    }

    [Fact]
    public void KMeansPlusPlusAndLloydReachScikitLearnsInertiaWithinOnePercent()
    {
        using var scope = torch.NewDisposeScope();
        var (data, _, _) = SyntheticFrames.Blobs(20000, 16, 100, separation: 1.5, noise: 1, seed: 12);
        var x = SyntheticFrames.Tensor(data, 16);
        var ours = new ulong[] { 0, 1, 2, 3, 4 }.Select(seed => KMeans.Fit(x, new KMeansOptions(64, MaxIterations: 20, Tolerance: 0, Seed: seed)).Inertia).ToArray();
        var theirs = Reference("kmeans++", WriteFrames("x.npy", data, 16), "64", "20", "0", "1", "2", "3", "4")
            .GetProperty("inertias").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        output.WriteLine($"ours [{string.Join(", ", ours)}] sklearn [{string.Join(", ", theirs)}]");
        Assert.InRange(ours.Average() / theirs.Average(), 0.99, 1.01);
    }

    [Fact]
    public void MiniBatchReachesScikitLearnsInertiaWithinOnePercent()
    {
        using var scope = torch.NewDisposeScope();
        var (data, _, _) = SyntheticFrames.Blobs(20000, 16, 100, separation: 1.5, noise: 1, seed: 13);
        var x = SyntheticFrames.Tensor(data, 16);
        var ours = new ulong[] { 0, 1, 2 }.Select(seed => KMeans.Fit(x, new KMeansOptions(64, Algorithm: KMeansAlgorithm.MiniBatch, BatchSize: 1024,
            MaxIterations: 10, Tolerance: 0, Seed: seed)).Inertia).ToArray();
        var theirs = Reference("minibatch", WriteFrames("x.npy", data, 16), "64", "1024", "10", "0", "1", "2")
            .GetProperty("inertias").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        output.WriteLine($"ours [{string.Join(", ", ours)}] sklearn [{string.Join(", ", theirs)}]");
        Assert.InRange(ours.Average() / theirs.Average(), 0.99, 1.01);
    }
}
