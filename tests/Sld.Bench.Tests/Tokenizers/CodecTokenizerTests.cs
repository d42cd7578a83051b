// The RVQ codec tokenizer trained on synthetic features: the reconstruction error falls, dead-code restarts
// leave every code of every codebook in use, encoding is deterministic and survives the artifact round trip,
// the token grid and bitrate follow the downsampling, and an interrupted training resumes to the same weights.
using Sld.Bench.Tokenizers;
using Sld.Bench.Tokenizers.Codec;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class CodecTokenizerTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sldbench-codec-").FullName;
    private readonly List<(string id, Tensor features)> _utterances = SyntheticFrames.Utterances(16, 8, 60, 100, seed: 51);

    public void Dispose()
    {
        foreach (var (_, t) in _utterances) t.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private InMemoryFeatureSource Source => new("synthetic/train", SyntheticFrames.Spec(8), _utterances);

    private static CodecTokenizerConfig Config(int steps = 250, CodebookUpdate update = CodebookUpdate.Ema, CodecTokens tokens = CodecTokens.AllCodebooks) =>
        new(Codebooks: 3, CodebookSize: 16, Hidden: 32, CodeDim: 8, Downsample: 2, Steps: steps, BatchSize: 8, CropFrames: 32,
            LearningRate: 3e-3, Update: update, EmaDecay: 0.9, DeadCodeThreshold: 0.1, Tokens: tokens, Seed: 1);

    [Theory]
    [InlineData(CodebookUpdate.Ema)]
    [InlineData(CodebookUpdate.Loss)]
    public void ReconstructionErrorFallsAndEveryCodeIsUsed(CodebookUpdate update)
    {
        var curve = new List<double>();
        using var t = (CodecTokenizer)new TokenizerStore(_root).GetOrFit(Config(update: update), Source,
            new FitOptions(new SyncProgress<FitProgress>(p => { if (p.Stage == "codec") curve.Add(p.Objective!.Value); })));
        var first = curve.Take(10).Average();
        var last = curve.TakeLast(10).Average();
        output.WriteLine($"{update}: reconstruction MSE {first:F4} (first 10 steps) -> {last:F4} (last 10); curve {string.Join(", ", t.Curve.Where((_, i) => i % 10 == 0).Select(p => $"{p.Step}:{p.Mse:F3}"))}");
        output.WriteLine($"usage [{string.Join(", ", t.Manifest.Stats!.CodebookUsage)}], perplexity [{string.Join(", ", t.Manifest.Stats.CodebookPerplexity.Select(p => p.ToString("F1")))}]");
        Assert.Equal(250, curve.Count);
        Assert.True(last < 0.5 * first, $"reconstruction MSE went from {first} to {last}");
        Assert.All(t.Manifest.Stats!.CodebookUsage, u => Assert.Equal(1.0, u));
        Assert.All(t.Manifest.Stats.CodebookPerplexity, p => Assert.InRange(p, 4, 16));
        // Per-value error of the reconstruction, against the features' own variance (what predicting the mean would cost).
        using var scope = torch.NewDisposeScope();
        var variance = torch.cat(_utterances.Select(u => u.features).ToList()).var(0, unbiased: false).mean().ToDouble();
        Assert.InRange(t.Manifest.Stats.QuantizationError / variance, 0, 0.6);
    }

    [Fact]
    public void TokensFollowTheDownsampledGridAndSurviveTheArtifactRoundTrip()
    {
        var store = new TokenizerStore(_root);
        using var fitted = (CodecTokenizer)store.GetOrFit(Config(steps: 40), Source);
        using var loaded = (CodecTokenizer)store.Load(fitted.Manifest.Key);
        Assert.Equal(50, fitted.FrameRate); // 100 Hz features, stride 2
        Assert.Equal(3, fitted.Codebooks);
        Assert.Equal(16, fitted.VocabularySize);
        Assert.Equal(50 * 3 * 4 / 1000.0, fitted.Manifest.Stats!.BitrateKbps, 12);
        foreach (var (_, features) in _utterances.Take(4))
        {
            var a = fitted.Encode(features);
            a.Validate();
            Assert.Equal((features.size(0) + 1) / 2, a.Length);
            Assert.All(a.Ids, c => Assert.All(c, id => Assert.InRange(id, 0, 15)));
            var b = loaded.Encode(features);
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(a.Ids[c], b.Ids[c]);
                Assert.Equal(a.Ids[c], fitted.Encode(features).Ids[c]);
            }
            using var scope = torch.NewDisposeScope();
            Assert.Equal(fitted.Reconstruct(features).ToArray<float>(), loaded.Reconstruct(features).ToArray<float>());
        }
        Assert.Equal(fitted.Curve, loaded.Curve);
    }

    [Fact]
    public void FirstCodebookTokensTakeDedupAndOneStream()
    {
        var config = Config(steps: 40, tokens: CodecTokens.FirstCodebook) with { Post = new PostProcessingOptions(Dedup: true) };
        using var t = new TokenizerStore(_root).GetOrFit(config, Source);
        Assert.Equal(1, t.Codebooks);
        Assert.Equal(50 * 1 * 4 / 1000.0, t.Manifest.Stats!.BitrateKbps, 12);
        Assert.InRange(t.Manifest.Stats.DedupRatio!.Value, 0.05, 1);
        var tokens = t.Encode(_utterances[0].features);
        tokens.Validate();
        Assert.All(Enumerable.Range(1, tokens.Length - 1), i => Assert.NotEqual(tokens.Ids[0][i - 1], tokens.Ids[0][i]));
        Assert.Throws<ArgumentException>(() => (Config() with { Post = new PostProcessingOptions(Dedup: true) }).Validate());
    }

    [Fact]
    public void InterruptedTrainingResumesToTheSameWeights()
    {
        var config = Config(steps: 30);
        using var expected = new TokenizerStore(Path.Combine(_root, "reference")).GetOrFit(config, Source);
        var store = new TokenizerStore(Path.Combine(_root, "interrupted"));
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<FitProgress>(p => { if (p.Stage == "codec" && p.Step == 12) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => store.GetOrFit(config, Source, new FitOptions(progress, cancel.Token, TimeSpan.Zero)));
        var steps = new List<long>();
        using var resumed = store.GetOrFit(config, Source, new FitOptions(new SyncProgress<FitProgress>(p => { if (p.Stage == "codec") steps.Add(p.Step); })));
        Assert.Equal(13, steps[0]);
        Assert.Equal(expected.Manifest.ContentSha256, resumed.Manifest.ContentSha256);
    }
}
