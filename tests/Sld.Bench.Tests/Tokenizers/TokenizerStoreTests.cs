// The artifact store with the k-means tokenizer: an artifact written and read back encodes identically, the key
// follows config and fit data, a damaged artifact is refused, and a fit interrupted at any point leaves the store
// clean and resumes to the same artifact as an uninterrupted fit.
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class TokenizerStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sldbench-store-").FullName;
    private readonly List<(string id, Tensor features)> _utterances = SyntheticFrames.Utterances(24, 6, 40, 120, seed: 41);
    private readonly InMemoryFeatureSource _source;

    public TokenizerStoreTests() => _source = new InMemoryFeatureSource("synthetic/train", SyntheticFrames.Spec(6), _utterances);

    public void Dispose()
    {
        foreach (var (_, t) in _utterances) t.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static KMeansTokenizerConfig Config(int k = 16, bool dedup = false, UnitModelOptions? units = null, double fraction = 1) =>
        new(new KMeansOptions(k, MaxIterations: 8, Tolerance: 0, Seed: 3))
        {
            FitData = new FitDataOptions(fraction, Seed: 1),
            Post = new PostProcessingOptions(dedup, units),
        };

    private static void AssertSameTokens(TokenSequence a, TokenSequence b)
    {
        Assert.Equal(a.Ids.Count, b.Ids.Count);
        for (var c = 0; c < a.Ids.Count; c++) Assert.Equal(a.Ids[c], b.Ids[c]);
        Assert.Equal(a.FrameStarts, b.FrameStarts);
        Assert.Equal(a.FrameCounts, b.FrameCounts);
        Assert.Equal(a.FrameRate, b.FrameRate);
    }

    [Fact]
    public void AnArtifactWrittenAndReadBackEncodesIdentically()
    {
        var store = new TokenizerStore(_root);
        var config = Config(dedup: true, units: new UnitModelOptions(UnitModelKind.Bpe, 40, 6));
        using var fitted = store.GetOrFit(config, _source);
        var key = fitted.Manifest.Key;
        Assert.Equal(TokenizerStore.KeyFor(config, _source), key);
        Assert.True(store.Contains(key));
        Assert.Equal(["centroids.safetensors", "manifest.json", "units.json"], Directory.GetFiles(store.PathOf(key)).Select(Path.GetFileName).Order());
        using var loaded = store.Load(key);
        Assert.Equal(fitted.Manifest.ContentSha256, loaded.Manifest.ContentSha256);
        Assert.Equal(config, loaded.Manifest.Config);
        foreach (var (_, features) in _utterances.Take(6))
        {
            var a = fitted.Encode(features);
            AssertSameTokens(a, loaded.Encode(features));
            AssertSameTokens(a, fitted.Encode(features)); // encode is deterministic
            a.Validate();
            using var scope = torch.NewDisposeScope();
            var soft = new SoftAssignmentOptions(8);
            Assert.Equal(((ISoftTokenizer)fitted).EncodeSoft(features, soft).ToArray<float>(), ((ISoftTokenizer)loaded).EncodeSoft(features, soft).ToArray<float>());
        }
        // A second request is served from the store: no fit runs (no progress is reported).
        var reports = 0;
        using var again = store.GetOrFit(config, _source, new FitOptions(new SyncProgress<FitProgress>(_ => reports++)));
        Assert.Equal(0, reports);
        Assert.Equal(key, again.Manifest.Key);
        Assert.Single(store.List());
    }

    [Fact]
    public void TheManifestRecordsConfigLineageAndStats()
    {
        var store = new TokenizerStore(_root);
        using var t = store.GetOrFit(Config(k: 16, dedup: true, fraction: 0.5), _source);
        var m = t.Manifest;
        Assert.Equal("kmeans", m.Kind);
        Assert.StartsWith("kmeans-", m.Key);
        Assert.Equal("synthetic/train", m.FitData.Source);
        Assert.Equal(24, m.FitData.SourceUtterances);
        Assert.InRange(m.FitData.SelectedUtterances, 6, 18); // a seeded half of 24
        var (selected, _) = FitDataSelection.Select(_source, m.Config.FitData);
        Assert.Equal(selected.Count, m.FitData.SelectedUtterances);
        Assert.Equal(selected.Sum(id => _utterances.First(u => u.id == id).features.size(0)), m.FitData.Frames);
        Assert.Equal(m.FitData.Frames, m.Stats!.EvaluatedFrames);
        var s = m.Stats!;
        Assert.Equal(100, s.FrameRate);
        Assert.Equal(0.1 * Math.Log2(16), s.BitrateKbps, 12); // 100 Hz x 1 codebook x 4 bits
        Assert.InRange(s.CodebookUsage[0], 0.5, 1);
        Assert.InRange(s.CodebookPerplexity[0], 2, 16);
        Assert.InRange(s.DedupRatio!.Value, 0.01, 1.0 / 3); // frames hold their value for 3 frames, so runs are >= 3 long
        Assert.Null(s.UnitRatio);
        Assert.Equal(s.DedupRatio!.Value * 100, s.TokensPerSecond, 9);
        Assert.InRange(s.QuantizationError, 1e-4, 0.5);
        Assert.True(s.FitSeconds > 0);
        var json = File.ReadAllText(Path.Combine(store.PathOf(m.Key), TokenizerManifest.FileName));
        Assert.Contains("\"kind\": \"kmeans\"", json);
        Assert.Contains("\"bitrate_kbps\"", json);
    }

    [Fact]
    public void TheKeyFollowsTheConfigAndTheFitData()
    {
        var key = TokenizerStore.KeyFor(Config(), _source);
        Assert.Equal(key, TokenizerStore.KeyFor(Config(), _source));
        Assert.NotEqual(key, TokenizerStore.KeyFor(Config(k: 17), _source));
        Assert.NotEqual(key, TokenizerStore.KeyFor(Config(dedup: true), _source));
        Assert.NotEqual(key, TokenizerStore.KeyFor(Config(fraction: 0.5), _source));
        var renamed = new InMemoryFeatureSource("synthetic/dev", SyntheticFrames.Spec(6), _utterances);
        Assert.NotEqual(key, TokenizerStore.KeyFor(Config(), renamed));
        var otherFeatures = new InMemoryFeatureSource("synthetic/train", SyntheticFrames.Spec(6).With("layer", "9"), _utterances);
        Assert.NotEqual(key, TokenizerStore.KeyFor(Config(), otherFeatures));
    }

    [Fact]
    public void FitDataSelectionIsSeededAndNested()
    {
        var (half, _) = FitDataSelection.Select(_source, new FitDataOptions(0.5, Seed: 1));
        var (again, _) = FitDataSelection.Select(_source, new FitDataOptions(0.5, Seed: 1));
        var (more, _) = FitDataSelection.Select(_source, new FitDataOptions(0.8, Seed: 1));
        var (other, _) = FitDataSelection.Select(_source, new FitDataOptions(0.5, Seed: 2));
        Assert.Equal(half, again);
        Assert.Subset(more.ToHashSet(), half.ToHashSet());
        Assert.NotEqual(half, other);
        using var scope = torch.NewDisposeScope();
        var (sample, total) = FitDataSelection.SampleFrames(_source, half, new FitDataOptions(0.5, MaxFrames: 100, Seed: 1));
        Assert.Equal(new long[] { 100, 6 }, sample.shape);
        Assert.Equal(half.Sum(id => _utterances.First(u => u.id == id).features.size(0)), total);
    }

    [Fact]
    public void ADamagedArtifactIsRefused()
    {
        var store = new TokenizerStore(_root);
        string key;
        using (var t = store.GetOrFit(Config(), _source)) key = t.Manifest.Key;
        var file = Path.Combine(store.PathOf(key), KMeansTokenizer.CentroidsFile);
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<InvalidDataException>(() => store.Load(key));
        Assert.Contains("SHA-256", e.Message);
    }

    [Theory]
    [InlineData("kmeans++", 5)]
    [InlineData("lloyd", 4)]
    [InlineData("stats", 5)]
    [InlineData("bpe", 3)]
    public void AnInterruptedFitLeavesTheStoreCleanAndResumesToTheSameArtifact(string stage, int step)
    {
        var config = Config(units: new UnitModelOptions(UnitModelKind.Bpe, 30, 6));
        using var expected = new TokenizerStore(Path.Combine(_root, "reference")).GetOrFit(config, _source);

        var store = new TokenizerStore(Path.Combine(_root, "interrupted"));
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress<FitProgress>(p =>
        {
            if (p.Stage == stage && p.Step == step) cancel.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            store.GetOrFit(config, _source, new FitOptions(progress, cancel.Token, TimeSpan.Zero)));
        var key = expected.Manifest.Key;
        Assert.False(store.Contains(key));
        Assert.False(Directory.Exists(store.PathOf(key)));
        Assert.Empty(store.List());
        Assert.True(File.Exists(Path.Combine(store.Root, ".work", key, "kmeans.checkpoint.safetensors")));
        Assert.Empty(Directory.Exists(Path.Combine(store.Root, ".staging")) ? Directory.GetDirectories(Path.Combine(store.Root, ".staging")) : []);

        var resumedStages = new List<FitProgress>();
        using var resumed = store.GetOrFit(config, _source, new FitOptions(new SyncProgress<FitProgress>(resumedStages.Add)));
        if (stage is "kmeans++" or "lloyd") Assert.Equal(step + 1, resumedStages.First(p => p.Stage == stage).Step);
        else Assert.DoesNotContain(resumedStages, p => p.Stage is "kmeans++" or "lloyd"); // k-means had finished: not redone
        Assert.Equal(expected.Manifest.ContentSha256, resumed.Manifest.ContentSha256);
        Assert.False(Directory.Exists(Path.Combine(store.Root, ".work", key)));
        foreach (var (_, features) in _utterances.Take(4)) AssertSameTokens(expected.Encode(features), resumed.Encode(features));
    }

    [Fact]
    public void StaleStagingAndIncompleteArtifactsAreReplaced()
    {
        var store = new TokenizerStore(_root);
        var key = TokenizerStore.KeyFor(Config(), _source);
        var stale = Directory.CreateDirectory(Path.Combine(_root, ".staging", $"{key}.999999.deadbeef")).FullName;
        File.WriteAllText(Path.Combine(stale, "centroids.safetensors"), "truncated");
        var incomplete = Directory.CreateDirectory(store.PathOf(key)).FullName; // a directory without a manifest
        File.WriteAllText(Path.Combine(incomplete, "centroids.safetensors"), "truncated");
        Assert.False(store.Contains(key));
        using var t = store.GetOrFit(Config(), _source);
        Assert.False(Directory.Exists(stale));
        using var loaded = store.Load(key);
        Assert.Equal(t.Manifest.ContentSha256, loaded.Manifest.ContentSha256);
        // A fit that died after publishing but before removing its work directory: the next request removes it.
        var work = Directory.CreateDirectory(Path.Combine(_root, ".work", key)).FullName;
        File.WriteAllText(Path.Combine(work, "kmeans.checkpoint.safetensors"), "left over");
        using var again = store.GetOrFit(Config(), _source);
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void AnUnreadableCheckpointIsRefittedFromScratch()
    {
        using var expected = new TokenizerStore(Path.Combine(_root, "reference")).GetOrFit(Config(), _source);
        var store = new TokenizerStore(Path.Combine(_root, "damaged"));
        var key = TokenizerStore.KeyFor(Config(), _source);
        var work = Directory.CreateDirectory(Path.Combine(store.Root, ".work", key)).FullName;
        File.WriteAllBytes(Path.Combine(work, "kmeans.checkpoint.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8, 9]); // truncated
        var stages = new List<string>();
        using var t = store.GetOrFit(Config(), _source, new FitOptions(new SyncProgress<FitProgress>(p => stages.Add(p.Stage))));
        Assert.Contains("kmeans++", stages); // started over
        Assert.Equal(expected.Manifest.ContentSha256, t.Manifest.ContentSha256);
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void AFitInProgressElsewhereIsNotStartedTwice()
    {
        var store = new TokenizerStore(_root);
        var key = TokenizerStore.KeyFor(Config(), _source);
        var work = Directory.CreateDirectory(Path.Combine(_root, ".work", key)).FullName;
        using (new FileStream(Path.Combine(work, "fit.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<IOException>(() => store.GetOrFit(Config(), _source));
            Assert.Contains("being fitted by another process", e.Message);
        }
        using var t = store.GetOrFit(Config(), _source);
        Assert.True(store.Contains(key));
    }

    [Fact]
    public void SoftDistributionsArgmaxIsTheHardUnit()
    {
        var store = new TokenizerStore(_root);
        using var t = (ISoftTokenizer)store.GetOrFit(Config(k: 12), _source);
        using var scope = torch.NewDisposeScope();
        foreach (var (_, features) in _utterances.Take(5))
        {
            var p = t.EncodeSoft(features, new SoftAssignmentOptions(1e-6));
            Assert.Equal(t.Encode(features).Ids[0], p.argmax(1).ToArray<long>());
            Assert.Equal(12, t.CodebookSize);
            Assert.Equal(new long[] { features.size(0), 12 }, p.shape);
        }
    }
}
