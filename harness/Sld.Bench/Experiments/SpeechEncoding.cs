// Stage 3 of a cell: the tokenizer, fitted once per (tokenizer config, frames, fit data) in the shared
// tokenizer store and recorded as an artifact with its stats, then every utterance turned into the model's
// speech input: hard token ids, soft distributions (soft assignment at inference: tests only), or the
// continuous frames themselves for the bridge baseline.
using System.Text.Json;
using Sld.Bench.Model;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Experiments;

public sealed class SpeechEncoding : IDisposable
{
    private readonly TokenizerSection _section;

    private SpeechEncoding(TokenizerSection section, ISpeechTokenizer? tokenizer, int featureDim)
    {
        _section = section;
        Tokenizer = tokenizer;
        FeatureDim = featureDim;
    }

    /// <summary>The fitted tokenizer; null for continuous features.</summary>
    public ISpeechTokenizer? Tokenizer { get; }

    public int FeatureDim { get; }

    /// <summary>The tokenizer artifact's key (its content-addressed folder in the store), null for continuous features.</summary>
    public string? TokenizerKey => Tokenizer?.Manifest.Key;

    public SpeechFrontEnd FrontEnd => Tokenizer is null ? _section.FrontEnd : SpeechFrontEnd.Tokens;

    public static async Task<SpeechEncoding> CreateAsync(TokenizerSection section, PreparedData data, string trainSplit, string workDirectory,
                                                         ResultsStore store, Action<string> log, CancellationToken cancellation)
    {
        section.Validate();
        var config = section.ToTokenizerConfig();
        if (config is null) return new SpeechEncoding(section, null, data.Spec.Dim);

        var train = data[trainSplit];
        var source = new InMemoryFeatureSource($"{data.SplitHash(trainSplit)}/{trainSplit}", data.Spec, train.Select(u => (u.Id, u.Frames)));
        var tokenizers = new TokenizerStore(Path.Combine(workDirectory, "tokenizers"));
        var key = TokenizerStore.KeyFor(config, source);
        ISpeechTokenizer? fitted = null;
        var artifact = await SharedStage.RunAsync(store, new ArtifactSpec(key, "tokenizer", config.Kind, JsonSerializer.Serialize(config, ManifestJson.Options)),
            ct =>
            {
                var last = DateTime.MinValue;
                fitted = tokenizers.GetOrFit(config, source, new FitOptions(new Progress<FitProgress>(p =>
                {
                    if (DateTime.UtcNow - last < TimeSpan.FromSeconds(10)) return;
                    last = DateTime.UtcNow;
                    log($"tokenizer {config.Kind}: {p}");
                }), ct));
                var m = fitted.Manifest;
                log($"tokenizer {m.Kind} {m.Key}: {fitted.VocabularySize} tokens x {fitted.Codebooks} codebooks at {fitted.FrameRate:0.#} Hz" +
                    (m.Stats is { } s ? $", {s.BitrateKbps:0.###} kbps, usage {s.CodebookUsage.Average():P0}, fit {s.FitSeconds:0.0} s" : ""));
                return Task.FromResult(new SharedStage.Output(tokenizers.PathOf(m.Key),
                    m.Stats is null ? null : JsonSerializer.Serialize(m.Stats, ManifestJson.Options), JsonSerializer.Serialize(m.FitData, ManifestJson.Options)));
            }, log, cancellation);
        fitted ??= tokenizers.Load(artifact.Hash);
        return new SpeechEncoding(section, fitted, data.Spec.Dim);
    }

    /// <summary>Speech tokens per codebook in the model's vocabulary (1 for continuous features, which have none).</summary>
    public int SpeechTokensPerCodebook => Tokenizer?.VocabularySize ?? 1;

    public int Codebooks => Tokenizer?.Codebooks ?? 1;

    /// <summary>The model input of one utterance; <paramref name="inference"/> applies soft assignment where configured.</summary>
    public SpeechInput Encode(PreparedUtterance u, bool inference)
    {
        using var scope = torch.NewDisposeScope();
        var frames = u.Frames; // (T, D)
        if (Tokenizer is null) return new SpeechFeatures(frames.ToArray<float>(), (int)frames.size(0), (int)frames.size(1));
        if (inference && _section.Assignment == Assignment.Soft && Tokenizer is ISoftTokenizer soft)
        {
            var p = soft.EncodeSoft(frames, new SoftAssignmentOptions(_section.Tau, _section.Distance)); // (T, K)
            return new SoftSpeechTokens(p.ToArray<float>(), (int)p.size(0), (int)p.size(1));
        }
        var tokens = Tokenizer.Encode(frames);
        if (tokens.Length == 0) throw new InvalidDataException($"utterance {u.Id} ({u.Source.AudioPath}) encodes to no speech tokens");
        return new SpeechTokens(tokens.Ids.Select(c => c.Select(id => checked((int)id)).ToArray()).ToArray());
    }

    public void Dispose() => Tokenizer?.Dispose();
}
