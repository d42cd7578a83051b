// Behaviour of KMeans without a reference implementation: planted clusters are recovered exactly, the fit is a
// pure function of its seed, empty clusters are refilled, and an interrupted fit resumes to the identical result.
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class KMeansTests(ITestOutputHelper output)
{
    private static Tensor PlantedData(out int[] labels, out float[] means, int n = 1600, int d = 5, int k = 8)
    {
        (var data, labels, means) = SyntheticFrames.Blobs(n, d, k, separation: 10, noise: 0.5, seed: 7);
        return SyntheticFrames.Tensor(data, d);
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.MiniBatch)]
    public void RecoversPlantedClusters(KMeansAlgorithm algorithm)
    {
        using var scope = torch.NewDisposeScope();
        var x = PlantedData(out var planted, out var means);
        var result = KMeans.Fit(x, new KMeansOptions(8, Algorithm: algorithm, BatchSize: 256, MaxIterations: 50, Seed: 1));
        var (labels, _) = CentroidDistances.Nearest(x, result.Centers);
        var found = labels.ToArray<long>();
        // Each planted cluster maps to one label and no two clusters share one: a perfect clustering.
        var mapping = Enumerable.Range(0, 8).Select(c => found.Where((_, i) => planted[i] == c).Distinct().ToArray()).ToArray();
        Assert.All(mapping, m => Assert.Single(m));
        Assert.Equal(8, mapping.Select(m => m[0]).Distinct().Count());
        var centers = result.Centers.ToArray<float>();
        for (var c = 0; c < 8; c++)
            for (var j = 0; j < 5; j++)
                Assert.InRange(centers[mapping[c][0] * 5 + j] - means[c * 5 + j], -0.15, 0.15); // noise sd 0.5 over 200 frames
        Assert.InRange(result.Inertia / 1600 / 5, 0.2, 0.3); // per-value squared error close to the noise variance 0.25
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd, KMeansInit.KMeansPlusPlus)]
    [InlineData(KMeansAlgorithm.MiniBatch, KMeansInit.KMeansPlusPlus)]
    [InlineData(KMeansAlgorithm.Lloyd, KMeansInit.Random)]
    public void SameSeedGivesIdenticalCentroidsAndAnotherSeedDoesNot(KMeansAlgorithm algorithm, KMeansInit init)
    {
        using var scope = torch.NewDisposeScope();
        var (data, _, _) = SyntheticFrames.Blobs(2000, 6, 40, separation: 1, noise: 1, seed: 3);
        var x = SyntheticFrames.Tensor(data, 6);
        KMeansOptions Options(ulong seed) => new(32, init, algorithm, MaxIterations: 5, Tolerance: 0, BatchSize: 200, Seed: seed);
        var a = KMeans.Fit(x, Options(11)).Centers.ToArray<float>();
        var b = KMeans.Fit(x, Options(11)).Centers.ToArray<float>();
        var c = KMeans.Fit(x, Options(12)).Centers.ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd)]
    [InlineData(KMeansAlgorithm.MiniBatch)]
    public void FitsFourThousandNinetySixCentroids(KMeansAlgorithm algorithm)
    {
        // Random init keeps the test short (k-means++ takes K sequential steps); K stresses the E- and M-steps.
        using var scope = torch.NewDisposeScope();
        var (data, _, _) = SyntheticFrames.Blobs(2 * 4096, 8, 6000, separation: 2, noise: 0.3, seed: 9);
        var x = SyntheticFrames.Tensor(data, 8);
        var options = new KMeansOptions(4096, KMeansInit.Random, algorithm, MaxIterations: 4, Tolerance: 0, BatchSize: 4096, Seed: 1);
        var start = CentroidDistances.Nearest(x, KMeans.Initialize(x, options)).distances.sum().ToDouble();
        var result = KMeans.Fit(x, options);
        var (labels, _) = CentroidDistances.Nearest(x, result.Centers);
        var used = labels.bincount(null, minlength: 4096).gt(0).sum().ToInt64();
        output.WriteLine($"{algorithm}: inertia {start:F1} (random frames) -> {result.Inertia:F1}; {used} of 4096 centroids hold a frame");
        Assert.Equal(new long[] { 4096, 8 }, result.Centers.shape);
        Assert.True(result.Inertia < 0.9 * start, $"inertia {result.Inertia} is not 10% below the initial {start}");
        Assert.InRange(used, algorithm == KMeansAlgorithm.Lloyd ? 3500 : 2000, 4096);
    }

    [Fact]
    public void EmptyClustersTakeTheFarthestFrames()
    {
        using var scope = torch.NewDisposeScope();
        var x = PlantedData(out _, out _);
        // Three identical initial centers: ties go to the first, so clusters 1 and 2 start empty.
        var init = x.index_select(0, torch.tensor(new long[] { 0, 0, 0, 1, 2, 3, 4, 5 }));
        var (_, distances) = CentroidDistances.Nearest(x, init);
        var farthest = distances.topk(2).indexes.ToArray<long>();
        var result = KMeans.Fit(x, new KMeansOptions(8, MaxIterations: 1, Tolerance: 0), initialCenters: init);
        // As scikit-learn: the empty clusters, in order, take the frames farthest from their centroid, farthest first.
        Assert.Equal(x.select(0, farthest[0]).ToArray<float>(), result.Centers.select(0, 1).ToArray<float>());
        Assert.Equal(x.select(0, farthest[1]).ToArray<float>(), result.Centers.select(0, 2).ToArray<float>());
        var longer = KMeans.Fit(x, new KMeansOptions(8, MaxIterations: 30, Tolerance: 0), initialCenters: init);
        var (labels, _) = CentroidDistances.Nearest(x, longer.Centers);
        Assert.All(labels.bincount(null, minlength: 8).ToArray<long>(), c => Assert.True(c > 0));
    }

    [Fact]
    public void KMeansPlusPlusSpreadsTheInitialCentroidsOverThePlantedClusters()
    {
        using var scope = torch.NewDisposeScope();
        var x = PlantedData(out var planted, out _);
        var init = KMeans.Initialize(x, new KMeansOptions(8, Seed: 5));
        var (labels, _) = CentroidDistances.Nearest(init, SyntheticFrames.Tensor(SyntheticFrames.Blobs(1600, 5, 8, 10, 0.5, 7).means, 5));
        // With clusters 20 sd apart, k-means++ puts one initial centroid in each (random init would not, most seeds).
        Assert.Equal(8, labels.ToArray<long>().Distinct().Count());
        Assert.Equal(8, planted.Distinct().Count());
    }

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd, "kmeans++", 20)]
    [InlineData(KMeansAlgorithm.Lloyd, "lloyd", 3)]
    [InlineData(KMeansAlgorithm.MiniBatch, "minibatch", 4)]
    public void InterruptedFitResumesToTheSameCentroids(KMeansAlgorithm algorithm, string stopStage, int stopStep)
    {
        using var scope = torch.NewDisposeScope();
        var (data, _, _) = SyntheticFrames.Blobs(3000, 6, 50, separation: 1, noise: 1, seed: 5);
        var x = SyntheticFrames.Tensor(data, 6);
        var options = new KMeansOptions(48, Algorithm: algorithm, MaxIterations: 6, Tolerance: 0, BatchSize: 300, MaxNoImprovement: 0, Seed: 2);
        var expected = KMeans.Fit(x, options);

        var dir = Directory.CreateTempSubdirectory("sldbench-kmeans-").FullName;
        try
        {
            using var cancel = new CancellationTokenSource();
            var stages = new List<FitProgress>();
            var progress = new SyncProgress<FitProgress>(p =>
            {
                stages.Add(p);
                if (p.Stage == stopStage && p.Step == stopStep) cancel.Cancel();
            });
            var interrupted = new FitContext { Progress = progress, Cancellation = cancel.Token, CheckpointDirectory = dir };
            Assert.Throws<OperationCanceledException>(() => KMeans.Fit(x, options, interrupted));
            Assert.True(File.Exists(Path.Combine(dir, "kmeans.checkpoint.safetensors")));

            var resumedStages = new List<FitProgress>();
            var resumed = KMeans.Fit(x, options, new FitContext { Progress = new SyncProgress<FitProgress>(resumedStages.Add), CheckpointDirectory = dir });
            // The resumed fit continues after the last completed step instead of starting over.
            var first = resumedStages[0];
            Assert.Equal(stopStage, first.Stage);
            Assert.Equal(stopStep + 1, first.Step);
            Assert.Equal(expected.Centers.ToArray<float>(), resumed.Centers.ToArray<float>());
            Assert.Equal(expected.Inertia, resumed.Inertia);
            Assert.Equal(expected.Iterations, resumed.Iterations);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ACheckpointFromOtherDataIsIgnored()
    {
        using var scope = torch.NewDisposeScope();
        var dir = Directory.CreateTempSubdirectory("sldbench-kmeans-").FullName;
        try
        {
            var (a, _, _) = SyntheticFrames.Blobs(500, 4, 10, 1, 1, seed: 1);
            var (b, _, _) = SyntheticFrames.Blobs(500, 4, 10, 1, 1, seed: 2);
            var options = new KMeansOptions(8, MaxIterations: 4, Tolerance: 0);
            KMeans.Fit(SyntheticFrames.Tensor(a, 4), options, new FitContext { CheckpointDirectory = dir });
            var reused = KMeans.Fit(SyntheticFrames.Tensor(b, 4), options, new FitContext { CheckpointDirectory = dir });
            var fresh = KMeans.Fit(SyntheticFrames.Tensor(b, 4), options);
            Assert.Equal(fresh.Centers.ToArray<float>(), reused.Centers.ToArray<float>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
