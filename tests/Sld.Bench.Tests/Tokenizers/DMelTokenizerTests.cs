// dMel: every value lands on one of B uniform levels of the fitted range, the level centre is within half a
// level of the value, each feature dimension is its own codebook, and the bitrate is rate x D x log2(B).
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class DMelTokenizerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sldbench-dmel-").FullName;
    private readonly List<(string id, Tensor features)> _utterances = SyntheticFrames.Utterances(6, 10, 30, 50, seed: 61);

    public void Dispose()
    {
        foreach (var (_, t) in _utterances) t.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void QuantisesEveryBinWithinHalfALevelOfTheFittedRange()
    {
        var store = new TokenizerStore(_root);
        var source = new InMemoryFeatureSource("synthetic/train", SyntheticFrames.Spec(10), _utterances);
        using var t = (DMelTokenizer)store.GetOrFit(new DMelTokenizerConfig(Bins: 16), source);
        using var scope = torch.NewDisposeScope();
        var all = torch.cat(_utterances.Select(u => u.features).ToList());
        Assert.Equal(all.min().ToDouble(), t.Min, 6);
        Assert.Equal(all.max().ToDouble(), t.Max, 6);
        var width = (t.Max - t.Min) / 16;
        foreach (var (_, features) in _utterances)
        {
            var levels = t.Quantize(features);
            Assert.InRange(levels.min().ToInt64(), 0, 15);
            Assert.InRange(levels.max().ToInt64(), 0, 15);
            Assert.InRange(t.Dequantize(levels).sub(features).abs().max().ToDouble(), 0, width / 2 + 1e-5);
            var tokens = t.Encode(features);
            Assert.Equal(10, tokens.Codebooks);
            Assert.Equal(features.size(0), tokens.Length);
            Assert.Equal(levels.select(1, 3).ToArray<long>(), tokens.Ids[3]);
        }
        var stats = t.Manifest.Stats!;
        Assert.Equal(100 * 10 * 4 / 1000.0, stats.BitrateKbps, 12);
        Assert.InRange(stats.QuantizationError, 0, width * width / 4); // at most (width/2)^2 per value; uniform error gives width^2/12
        Assert.Equal(10, stats.CodebookUsage.Length);
        using var loaded = (DMelTokenizer)store.Load(t.Manifest.Key);
        Assert.Equal((t.Min, t.Max), (loaded.Min, loaded.Max));
    }

    [Fact]
    public void AFixedRangeClampsValuesOutsideIt()
    {
        var source = new InMemoryFeatureSource("synthetic/train", SyntheticFrames.Spec(10), _utterances);
        using var t = (DMelTokenizer)new TokenizerStore(_root).GetOrFit(new DMelTokenizerConfig(Bins: 4, Min: -0.5, Max: 0.5), source);
        using var scope = torch.NewDisposeScope();
        var levels = t.Quantize(torch.tensor(new float[] { -3, -0.5f, -0.26f, -0.24f, 0, 0.24f, 0.26f, 0.5f, 3, 0 }, 1, 10));
        Assert.Equal(new long[] { 0, 0, 0, 1, 2, 2, 3, 3, 3, 2 }, levels.ToArray<long>());
        Assert.Throws<ArgumentException>(() => new DMelTokenizerConfig(Bins: 4, Min: 1, Max: 1).Validate());
    }
}
