// The neural codec in forward order: feature normalisation, a convolutional encoder that downsamples the
// frame sequence (strided convolutions), residual vector quantisation, and a mirrored decoder (transposed
// convolutions) that reconstructs the normalised features. Small on purpose: it is a tokenizer baseline
// trained on the corpus's own features, not a pretrained waveform codec.
using Sld.Bench.Torch;
using Sld.Bench.Torch.Modules;

namespace Sld.Bench.Tokenizers.Codec;

public sealed class RvqCodec : Module
{
    public RvqCodec(int featureDim, CodecTokenizerConfig c)
    {
        Config = c;
        feature_mean = register_buffer("feature_mean", torch.zeros([featureDim]));
        feature_std = register_buffer("feature_std", torch.ones([featureDim]));
        var halvings = c.Downsample switch { 1 => 0, 2 => 1, _ => 2 };
        var encoder = new List<Module<Tensor, Tensor>> { new Conv1d(featureDim, c.Hidden, 3, padding: 1), new GELU() };
        for (var i = 0; i < halvings; i++) encoder.AddRange([new Conv1d(c.Hidden, c.Hidden, 4, stride: 2, padding: 1), new GELU()]);
        encoder.AddRange([new Conv1d(c.Hidden, c.Hidden, 3, padding: 1), new GELU(), new Conv1d(c.Hidden, c.CodeDim, 1)]);
        this.encoder = register_module("encoder", new Sequential([.. encoder]));
        quantizer = register_module("quantizer", new ResidualVectorQuantizer(c.Codebooks, c.CodebookSize, c.CodeDim, c.Update == CodebookUpdate.Ema));
        var decoder = new List<Module<Tensor, Tensor>> { new Conv1d(c.CodeDim, c.Hidden, 3, padding: 1), new GELU() };
        for (var i = 0; i < halvings; i++) decoder.AddRange([new ConvTranspose1d(c.Hidden, c.Hidden, 4, stride: 2, padding: 1), new GELU()]);
        decoder.AddRange([new Conv1d(c.Hidden, c.Hidden, 3, padding: 1), new GELU(), new Conv1d(c.Hidden, featureDim, 3, padding: 1)]);
        this.decoder = register_module("decoder", new Sequential([.. decoder]));
    }

    public CodecTokenizerConfig Config { get; }
    public Tensor feature_mean { get; }
    public Tensor feature_std { get; }
    public Sequential encoder { get; }
    public ResidualVectorQuantizer quantizer { get; }
    public Sequential decoder { get; }

    public Tensor Normalise(Tensor features) => features.sub(feature_mean).div(feature_std); // (..., D)

    public Tensor Denormalise(Tensor x) => x.mul(feature_std).add(feature_mean);

    /// <summary>Latents (B, T / Downsample, CodeDim) of normalised features (B, T, D); T must be a multiple of Downsample.</summary>
    public Tensor Encode(Tensor x) => encoder.forward(x.transpose(1, 2)).transpose(1, 2);

    /// <summary>Normalised features (B, T, D) from quantised latents (B, T / Downsample, CodeDim).</summary>
    public Tensor Decode(Tensor q) => decoder.forward(q.transpose(1, 2)).transpose(1, 2);

    /// <summary>Normalised features (T, D) padded by repeating the last frame to a multiple of the downsampling: (1, T', D).</summary>
    public Tensor PadToGrid(Tensor normalised)
    {
        var t = normalised.size(0);
        var padded = (t + Config.Downsample - 1) / Config.Downsample * Config.Downsample;
        if (padded == t) return normalised.unsqueeze(0);
        var last = normalised.narrow(0, t - 1, 1).expand(padded - t, normalised.size(1));
        return torch.cat([normalised, last], 0).unsqueeze(0);
    }
}
