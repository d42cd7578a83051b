// Behaviour of the feature extractor beyond parity: Kaldi's frame counts, batching that does not change a
// single bit, determinism, no leaked tensors, deltas at the edges, CMVN statistics, the config's hash, the
// .npy files numpy reads, and the in-place multiply the extractor added to the binding.
using Sld.Bench.Audio;
using Sld.Bench.Features;
using Sld.Bench.Testing;
using Sld.Bench.Tests.Audio;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Features;

// Two tests compare the process-wide live tensor count, so no other test may run beside them.
[Collection(Sld.Bench.Tests.Model.LiveCountCollection.Name)]
public class FeatureBehaviourTests
{
    private static Waveform Noise(double seconds, int seed) => new(Signals.Noise((int)(seconds * 16000), seed), 16000);

    [Theory]
    [InlineData(400, true, 1)]
    [InlineData(399, true, 0)]
    [InlineData(16000, true, 98)]
    [InlineData(16000, false, 100)]
    [InlineData(16079, false, 100)]
    [InlineData(16080, false, 101)]
    public void FrameCountsFollowKaldi(int samples, bool snipEdges, int frames)
    {
        using var extractor = new FeatureExtractor(new FeatureConfig { SnipEdges = snipEdges });
        Assert.Equal(frames, extractor.FrameCount(samples));
        if (frames == 0) return;
        using var scope = torch.NewDisposeScope();
        Assert.Equal([frames, 80L], extractor.Compute(new Waveform(Signals.Noise(samples, 1), 16000)).shape);
    }

    [Fact]
    public void RepetitionGivesIdenticalBitsAndBatchingOnlyMovesTheLastBit()
    {
        var waves = Enumerable.Range(0, 7).Select(i => Noise(0.3 + 0.37 * i, i)).ToList();
        using var perUtterance = new FeatureExtractor(new FeatureConfig());
        using var batched = new FeatureExtractor(new FeatureConfig()) { MaxFramesPerBatch = 100_000 };
        using var scope = torch.NewDisposeScope();
        var a = perUtterance.Compute(waves);
        var again = perUtterance.Compute(waves.AsEnumerable().Reverse().ToList()).Reverse().ToArray();
        var b = batched.Compute(waves);
        for (var i = 0; i < waves.Count; i++)
        {
            Assert.Equal(a[i].ToArray<float>(), again[i].ToArray<float>());
            // One batch groups FFT and GEMM rows differently: the same numbers to float32 rounding.
            Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>(), new ToleranceComparer(1e-5));
        }
    }

    [Fact]
    public void ExtractionLeaksNoTensors()
    {
        using var extractor = new FeatureExtractor(new FeatureConfig { Kind = FeatureKind.Mfcc, DeltaOrder = 2, Cmvn = CmvnMode.Utterance });
        var wave = Noise(1.0, 3);
        using (var warm = torch.NewDisposeScope()) extractor.Compute(wave);
        var before = LiveTensors.Count;
        for (var i = 0; i < 20; i++)
        {
            using var scope = torch.NewDisposeScope();
            extractor.Compute(wave);
        }
        Assert.Equal(before, LiveTensors.Count);
    }

    [Fact]
    public void ParallelExtractionGivesTheSameBitsAndLeaksNothing()
    {
        var waves = Enumerable.Range(0, 9).Select(i => Noise(0.2 + 0.3 * i, 40 + i)).ToList();
        using var sequential = new FeatureExtractor(new FeatureConfig { DeltaOrder = 1 });
        using var parallel = new FeatureExtractor(new FeatureConfig { DeltaOrder = 1 }) { Parallelism = 3 };
        using (var warm = torch.NewDisposeScope()) parallel.Compute(waves);
        // TorchSharp counts live tensors per thread: the workers' temporaries are checked by the workers' own
        // scopes (disposed there, or the results would not be owned by the caller's scope below); here the
        // results must belong to the caller's scope and die with it.
        Tensor[] results;
        using (var scope = torch.NewDisposeScope())
        {
            var a = sequential.Compute(waves);
            results = parallel.Compute(waves);
            Assert.Equal(waves.Count, scope.DisposablesCount - waves.Count); // the parallel results belong to the caller's scope
            for (var i = 0; i < waves.Count; i++) Assert.Equal(a[i].ToArray<float>(), results[i].ToArray<float>());
        }
        Assert.All(results, t => Assert.True(t.IsInvalid, "a parallel result outlived the caller's scope"));
    }

    [CudaFact]
    public void CudaFeaturesMatchTheCpu()
    {
        var waves = Enumerable.Range(0, 4).Select(i => Noise(0.5 + i, 60 + i)).ToList();
        using var cpu = new FeatureExtractor(new FeatureConfig());
        using var gpu = new FeatureExtractor(new FeatureConfig(), torch.CUDA);
        using var scope = torch.NewDisposeScope();
        var a = cpu.Compute(waves);
        var b = gpu.Compute(waves); // one batch on the GPU
        for (var i = 0; i < waves.Count; i++)
        {
            Assert.Equal(a[i].shape, b[i].shape);
            Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>(), new ToleranceComparer(1e-3));
        }
    }

    [Fact]
    public void AudioAtAnotherRateIsResampledFirst()
    {
        using var extractor = new FeatureExtractor(new FeatureConfig());
        using var scope = torch.NewDisposeScope();
        var at8k = extractor.Compute(new Waveform(Signals.Sine(440, 8000, 1.0), 8000));
        Assert.Equal(98, at8k.size(0));
        Assert.Throws<ArgumentException>(() => extractor.Compute(new Waveform(new float[300], 16000)));
    }

    [Fact]
    public void DeltasUseKaldisFiltersAndRepeatEdgeFrames()
    {
        var scales = DeltaFeatures.Scales(2, 2);
        Assert.Equal([-0.2, -0.1, 0, 0.1, 0.2], scales[1].Select(v => Math.Round(v, 12)));
        Assert.Equal(9, scales[2].Length);
        Assert.Equal(0.04, scales[2][0], 12);   // (-2 * -2) / 100
        Assert.Equal(-0.1, scales[2][4], 12);   // sum j^2 * -1 / 100 at the centre

        // A ramp 0, 1, ..., 9 in one column: delta 1 in the middle; at the first frame the repeated
        // edge gives (0*-2 + 0*-1 + 0 + 1 + 2*2)/10 = 0.5; delta-delta is 0 away from the edges.
        using var scope = torch.NewDisposeScope();
        var ramp = torch.arange(0, 10, 1, ScalarType.Float32).unsqueeze(1);
        var d = DeltaFeatures.Add(ramp, 2).ToArray<float>(); // (10, 3)
        Assert.Equal(1f, d[5 * 3 + 1], 5);
        Assert.Equal(0.5f, d[0 * 3 + 1], 5);
        Assert.Equal(0f, d[5 * 3 + 2], 5);
        Assert.Equal(3 * 10, d.Length);
    }

    [Fact]
    public void PerUtteranceCmvnGivesZeroMeanUnitVariance()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([200, 5]).mul(3).add(7);
        var y = Cmvn.ApplyPerUtterance(x);
        Assert.All(y.mean([0]).ToArray<float>(), m => Assert.Equal(0, m, 4));
        Assert.All(y.var(0, unbiased: false).ToArray<float>(), v => Assert.Equal(1, v, 3));
        Assert.All(Cmvn.ApplyPerUtterance(x, normVars: false).var(0, unbiased: false).ToArray<float>(), v => Assert.InRange(v, 5, 15));
    }

    [Fact]
    public void GlobalCmvnAccumulatesMergesAndRoundTrips()
    {
        using var dir = new TempDirectory();
        using var scope = torch.NewDisposeScope();
        var a = torch.randn([50, 4]).add(2);
        var b = torch.randn([70, 4]).mul(2);
        var whole = new GlobalCmvn(4);
        whole.Accumulate(torch.cat([a, b]));
        var (first, second) = (new GlobalCmvn(4), new GlobalCmvn(4));
        first.Accumulate(a);
        second.Accumulate(b);
        first.Merge(second);
        Assert.Equal(120, first.Frames);
        for (var d = 0; d < 4; d++)
        {
            Assert.Equal(whole.Mean()[d], first.Mean()[d], 10);
            Assert.Equal(whole.Variance()[d], first.Variance()[d], 9);
        }
        first.Save(dir.File("cmvn.json"));
        var loaded = GlobalCmvn.Load(dir.File("cmvn.json"));
        var normalised = loaded.Apply(torch.cat([a, b]));
        Assert.Equal(Cmvn.ApplyPerUtterance(torch.cat([a, b])).ToArray<float>(), normalised.ToArray<float>(), new ToleranceComparer(1e-5));
    }

    [Fact]
    public void TheConfigHashNamesEverySettingThatChangesNumbers()
    {
        var baseline = new FeatureConfig();
        Assert.Equal(baseline.Hash(), new FeatureConfig().Hash());
        Assert.Equal(baseline.Hash(), (baseline with { Cmvn = CmvnMode.Utterance }).Hash()); // CMVN is applied after the cache
        var variants = new[]
        {
            baseline with { NumMelBins = 40 }, baseline with { Kind = FeatureKind.Mfcc }, baseline with { SnipEdges = false },
            baseline with { DeltaOrder = 1 }, baseline with { WaveformScale = 1 }, baseline with { Window = FrameWindow.Hamming },
            baseline with { FrameShiftMs = 20 }, baseline with { SampleRate = 8000 },
        };
        Assert.Equal(variants.Length + 1, variants.Select(v => v.Hash()).Append(baseline.Hash()).Distinct().Count());
        Assert.Equal(80, baseline.Dim);
        Assert.Equal(39, new FeatureConfig { Kind = FeatureKind.Mfcc, DeltaOrder = 2 }.Dim);
        Assert.Throws<ArgumentException>(() => new FeatureConfig { Kind = FeatureKind.Mfcc, NumCeps = 30 }.Validate());
        Assert.Throws<ArgumentException>(() => new FeatureConfig { HighFreq = 9000 }.Validate());
        Assert.Throws<ArgumentException>(() => new FeatureConfig { FrameLengthMs = 0.05 }.Validate());
    }

    [Fact]
    public void NpyFilesAreWhatNumpyReads()
    {
        using var dir = new TempDirectory();
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(0, 12, 1, ScalarType.Float32).reshape(3, 4).mul(0.5);
        NpyFile.Write(dir.File("x.npy"), x);
        NpyFile.Write(dir.File("h.npy"), x.half());
        var (data, shape) = NpyFile.Read(dir.File("x.npy"));
        Assert.Equal([3L, 4], shape);
        Assert.Equal(x.ToArray<float>(), data);
        Assert.Equal(data, NpyFile.Read(dir.File("h.npy")).data);
        var lines = ReferencePython.Run("npy_summary.py", dir.File("x.npy"), dir.File("h.npy")).Trim().Split('\n');
        Assert.Equal(["(3, 4) float32 33.0 5.5", "(3, 4) float16 33.0 5.5"], lines);
    }

    [Fact]
    public void InPlaceMultiplyBroadcastsLikeMul()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(0, 6, 1, ScalarType.Float32).reshape(2, 3);
        var w = torch.tensor(new float[] { 1, 10, 100 });
        var expected = x.mul(w).ToArray<float>();
        var view = x.narrow(1, 0, 3);
        Assert.Same(view, view.mul_(w));
        Assert.Equal(expected, x.ToArray<float>());
        Assert.Equal([0f, 10, 200, 3, 40, 500], expected);
    }

    /// <summary>A fact that runs only where libtorch sees a CUDA device.</summary>
    private sealed class CudaFactAttribute : FactAttribute
    {
        public CudaFactAttribute()
        {
            if (!torch.cuda.is_available()) Skip = "no CUDA device";
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}
