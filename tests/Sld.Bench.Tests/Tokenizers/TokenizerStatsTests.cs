// The stats every fitted tokenizer records (frame rate, codebooks x size, bitrate, usage, perplexity, dedup and
// unit-model compression, quantisation error, fit time), for every kind and post-processing: each is present,
// consistent with the others and with the tokens the tokenizer actually emits, survives the manifest round
// trip, and the fit reports progress for every stage it runs.
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class TokenizerStatsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sldbench-stats-").FullName;
    private readonly List<(string id, Tensor features)> _utterances = SyntheticFrames.Utterances(12, 6, 40, 90, seed: 71);

    public void Dispose()
    {
        foreach (var (_, t) in _utterances) t.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static readonly KMeansOptions Clustering = new(16, MaxIterations: 6, Tolerance: 0, Seed: 2);

    private static CodecTokenizerConfig Codec(CodecTokens tokens) =>
        new(Codebooks: 2, CodebookSize: 16, Hidden: 16, CodeDim: 4, Downsample: 2, Steps: 100, BatchSize: 4, CropFrames: 16, LearningRate: 3e-3, Tokens: tokens, Seed: 3);

    public static TheoryData<string> Kinds => ["kmeans", "kmeans+dedup", "kmeans+dedup+bpe", "kmeans+unigram", "codec/all", "codec/first+dedup+bpe", "dmel"];

    private static TokenizerConfig Config(string name) => name switch
    {
        "kmeans" => new KMeansTokenizerConfig(Clustering),
        "kmeans+dedup" => new KMeansTokenizerConfig(Clustering) { Post = new PostProcessingOptions(Dedup: true) },
        "kmeans+dedup+bpe" => new KMeansTokenizerConfig(Clustering) { Post = new PostProcessingOptions(true, new UnitModelOptions(UnitModelKind.Bpe, 40)) },
        "kmeans+unigram" => new KMeansTokenizerConfig(Clustering) { Post = new PostProcessingOptions(false, new UnitModelOptions(UnitModelKind.Unigram, 40)) },
        "codec/all" => Codec(CodecTokens.AllCodebooks),
        "codec/first+dedup+bpe" => Codec(CodecTokens.FirstCodebook) with { Post = new PostProcessingOptions(true, new UnitModelOptions(UnitModelKind.Bpe, 30)) },
        "dmel" => new DMelTokenizerConfig(Bins: 8),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryFittedTokenizerRecordsEveryStat(string name)
    {
        var config = Config(name);
        var source = new InMemoryFeatureSource("synthetic/train", SyntheticFrames.Spec(6), _utterances);
        var store = new TokenizerStore(_root);
        var stages = new List<string>();
        using var t = store.GetOrFit(config, source, new FitOptions(new SyncProgress<FitProgress>(p => stages.Add(p.Stage))));
        var s = t.Manifest.Stats!;
        var post = config switch
        {
            KMeansTokenizerConfig k => k.Post,
            CodecTokenizerConfig c => c.Post,
            _ => new PostProcessingOptions(),
        };

        // Frame rate, codebooks x size, and the bitrate they imply (DASB: rate x codebooks x log2 K, before dedup/BPE).
        Assert.Equal(t.FrameRate, s.FrameRate);
        Assert.Equal(t.Codebooks, s.Codebooks);
        var (rate, codebooks, size) = name switch
        {
            "dmel" => (100.0, 6, 8),
            "codec/all" => (50.0, 2, 16),
            "codec/first+dedup+bpe" => (50.0, 1, 16),
            _ => (100.0, 1, 16),
        };
        Assert.Equal((rate, codebooks, size), (s.FrameRate, s.Codebooks, s.CodebookSize));
        Assert.Equal(rate * codebooks * Math.Log2(size) / 1000, s.BitrateKbps, 12);
        Assert.Equal(t.VocabularySize, s.VocabularySize);

        // Usage and perplexity per quantiser (a codec measures every trained codebook, even when it emits one).
        var quantisers = config is CodecTokenizerConfig cc ? cc.Codebooks : codebooks;
        Assert.Equal(quantisers, s.CodebookUsage.Length);
        Assert.Equal(quantisers, s.CodebookPerplexity.Length);
        Assert.All(s.CodebookUsage, u => Assert.InRange(u, 1.0 / size, 1));
        Assert.All(s.CodebookPerplexity.Zip(s.CodebookUsage), p => Assert.InRange(p.First, 1, p.Second * size + 1e-9)); // exp(H) <= codes used

        // Compression: the tokens the tokenizer emits over the fit utterances, counted here, give the recorded ratios.
        var frames = 0L;
        var dedupTokens = 0L;
        var emitted = 0L;
        foreach (var (_, features) in _utterances)
        {
            var tokens = t.Encode(features);
            frames += tokens.Frames;
            emitted += tokens.Length;
            dedupTokens += Dedup.Collapse(RawUnits(t, features, tokens)).units.Length;
        }
        Assert.Equal(frames, s.EvaluatedFrames); // token-grid frames
        Assert.Equal(emitted / (frames / rate), s.TokensPerSecond, 9);
        Assert.Equal(emitted / (frames / rate) * codebooks * Math.Log2(s.VocabularySize) / 1000, s.PostProcessedBitrateKbps, 9);
        if (post.Dedup) Assert.Equal((double)dedupTokens / frames, s.DedupRatio!.Value, 12);
        else Assert.Null(s.DedupRatio);
        if (post.Units is not null)
        {
            Assert.Equal((double)emitted / (post.Dedup ? dedupTokens : frames), s.UnitRatio!.Value, 12);
            Assert.InRange(s.UnitRatio!.Value, 0.2, 0.999); // pieces merge units
        }
        else Assert.Null(s.UnitRatio);

        // Quantisation error per value, against the features' variance (what one constant code would cost).
        using (var scope = torch.NewDisposeScope())
        {
            var variance = torch.cat(_utterances.Select(u => u.features).ToList()).var(0, unbiased: false).mean().ToDouble();
            Assert.InRange(s.QuantizationError, 1e-6, variance);
        }
        Assert.InRange(s.FitSeconds, 1e-6, 600);
        Assert.Equal(_utterances.Count, s.EvaluatedUtterances);

        // Progress: loading, fitting (where there is something to fit), and the stats pass, each reported.
        Assert.Contains("stats", stages);
        Assert.Contains(config is DMelTokenizerConfig ? "range" : "frames", stages);
        if (config is KMeansTokenizerConfig) Assert.Contains("lloyd", stages);
        if (config is CodecTokenizerConfig) Assert.Contains("codec", stages);
        if (post.Units is { Model: var model }) Assert.Contains(model == UnitModelKind.Bpe ? "bpe" : "unigram", stages);

        // The stats are in manifest.json and come back with the artifact.
        using var loaded = store.Load(t.Manifest.Key);
        var l = loaded.Manifest.Stats!;
        Assert.Equal(s with { CodebookUsage = [], CodebookPerplexity = [] }, l with { CodebookUsage = [], CodebookPerplexity = [] });
        Assert.Equal(s.CodebookUsage, l.CodebookUsage);
        Assert.Equal(s.CodebookPerplexity, l.CodebookPerplexity);
    }

    /// <summary>The raw first-codebook unit of every token-grid frame (before dedup and the unit model).</summary>
    private static long[] RawUnits(ISpeechTokenizer t, Tensor features, TokenSequence tokens) => t switch
    {
        KMeansTokenizer k => k.Units(features),
        Sld.Bench.Tokenizers.Codec.CodecTokenizer c => c.Codes(features)[0],
        _ => tokens.Ids[0],
    };
}
