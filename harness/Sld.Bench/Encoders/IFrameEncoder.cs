// The frame-encoder interface: a 16 kHz waveform in, one feature vector per frame out. Fbank/MFCC front ends
// and the HuBERT-architecture encoder implement it, and tokenizers record its FrameFeatureSpec as the
// lineage of what they quantise (name, dimension, frame rate and the settings that change the features).
using System.Globalization;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Encoders;

/// <param name="Name">The feature family, e.g. "fbank", "mfcc", "hubert_base".</param>
/// <param name="Dim">Feature dimension D.</param>
/// <param name="FrameRate">Frames per second.</param>
public sealed record FrameFeatureSpec(string Name, int Dim, double FrameRate)
{
    /// <summary>Settings that change the features (layer and its indexing convention, mel bins, weights' hash...), sorted by key.</summary>
    public SortedDictionary<string, string> Settings { get; init; } = new(StringComparer.Ordinal);

    public FrameFeatureSpec With(string key, string value)
    {
        var settings = new SortedDictionary<string, string>(Settings, StringComparer.Ordinal) { [key] = value };
        return this with { Settings = settings };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name} (D={Dim}, {FrameRate:G} Hz{string.Concat(Settings.Select(kv => $", {kv.Key}={kv.Value}"))})");
}

public interface IFrameEncoder
{
    /// <summary>Samples per second the encoder expects (16000 for every encoder here).</summary>
    int SampleRate { get; }

    FrameFeatureSpec Spec { get; }

    /// <summary>Features (T, D) float32 of one mono waveform (samples) float32 at <see cref="SampleRate"/>; the caller owns them.</summary>
    Tensor Encode(Tensor waveform);
}
