// Where a tokenizer's fit data comes from: a named set of utterances whose frame features (T, D) float32 can be
// loaded one at a time, so a fit can stream a corpus larger than memory. InMemoryFeatureSource serves tests and
// small corpora; EncodedFeatureSource runs a frame encoder (e.g. HuBERT) over waveforms on demand.
using Sld.Bench.Encoders;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public interface IFeatureSource
{
    /// <summary>The corpus and split, as recorded in the fit-data lineage, e.g. "librispeech/train-clean-100".</summary>
    string Name { get; }

    FrameFeatureSpec Features { get; }

    IReadOnlyList<string> UtteranceIds { get; }

    /// <summary>The features (T, D) float32 of one utterance; the caller owns the tensor.</summary>
    Tensor Load(string utteranceId);
}

/// <summary>Utterances held as tensors (owned by the caller, which must keep them alive while the source is used).</summary>
public sealed class InMemoryFeatureSource : IFeatureSource
{
    private readonly Dictionary<string, Tensor> _features;

    public InMemoryFeatureSource(string name, FrameFeatureSpec features, IEnumerable<(string id, Tensor features)> utterances)
    {
        Name = name;
        Features = features;
        var list = utterances.ToList();
        _features = list.ToDictionary(u => u.id, u => u.features);
        UtteranceIds = list.Select(u => u.id).ToList();
        foreach (var (id, t) in list)
            if (t.dim() != 2 || t.size(1) != features.Dim)
                throw new ArgumentException($"utterance '{id}' has shape [{string.Join(", ", t.shape)}], expected (T, {features.Dim})");
    }

    public string Name { get; }
    public FrameFeatureSpec Features { get; }
    public IReadOnlyList<string> UtteranceIds { get; }

    public Tensor Load(string utteranceId) =>
        _features.TryGetValue(utteranceId, out var t) ? t.alias() : throw new KeyNotFoundException($"no utterance '{utteranceId}' in {Name}");
}

/// <summary>Features computed by a frame encoder from waveforms loaded on demand.</summary>
public sealed class EncodedFeatureSource(string name, IFrameEncoder encoder, IReadOnlyList<string> utteranceIds, Func<string, Tensor> loadWaveform)
    : IFeatureSource
{
    public string Name { get; } = name;
    public FrameFeatureSpec Features => encoder.Spec;
    public IReadOnlyList<string> UtteranceIds { get; } = utteranceIds;

    public Tensor Load(string utteranceId)
    {
        using var waveform = loadWaveform(utteranceId);
        return encoder.Encode(waveform);
    }
}
