// A HuBERT-architecture model at one layer as a frame encoder: 16 kHz waveform in, (T, E) features of the chosen
// layer out, 50 frames per second for the standard CNN. The spec records the layer with its indexing
// convention and the weights' hash, so tokenizers fitted on different layers or weights never share a key.
using System.Globalization;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Encoders;

public sealed class HubertFrameEncoder : IFrameEncoder
{
    public const string LayerConvention = "hf_hidden_states: 0 = transformer input (projection + positional conv + LN), k = output of block k";

    private readonly HubertEncoder _model;
    private readonly int _layer;

    /// <param name="name">The feature family for the lineage, e.g. "hubert_base".</param>
    /// <param name="weights">What identifies the weights (a file's SHA-256, or "random:seed" in tests).</param>
    public HubertFrameEncoder(HubertEncoder model, int layer, string name, string weights)
    {
        if (layer < 0 || layer > model.Config.Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layers are 0..{model.Config.Layers}");
        _model = model;
        _layer = layer;
        Spec = new FrameFeatureSpec(name, model.Config.EmbedDim, (double)SampleRate / model.Config.SamplesPerFrame)
            .With("layer", layer.ToString(CultureInfo.InvariantCulture))
            .With("layer_convention", LayerConvention)
            .With("weights", weights);
    }

    public int SampleRate => 16000;

    public FrameFeatureSpec Spec { get; }

    public Tensor Encode(Tensor waveform) => _model.Layer(waveform, _layer);
}
