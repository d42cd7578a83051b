// The neural codec in forward order: feature normalisation, a convolutional encoder that downsamples the
// frame sequence (strided convolutions), residual vector quantisation, and a mirrored decoder (transposed
// convolutions) that reconstructs the normalised features. Small on purpose: it is a tokenizer baseline
// trained on the corpus's own features, not a pretrained waveform codec.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Sld.Bench.Tokenizers.Codec;

public sealed class RvqCodec : nn.Module
{
    public RvqCodec(int featureDim, CodecTokenizerConfig c) : base(nameof(RvqCodec))
    {
        Config = c;
        feature_mean = this.RegisterBuffer("feature_mean", torch.zeros([featureDim]));
        feature_std = this.RegisterBuffer("feature_std", torch.ones([featureDim]));
        var halvings = c.Downsample switch { 1 => 0, 2 => 1, _ => 2 };
        var encoder = new List<nn.Module<Tensor, Tensor>> { nn.Conv1d(featureDim, c.Hidden, 3, padding: 1), nn.GELU() };
        for (var i = 0; i < halvings; i++) encoder.AddRange([nn.Conv1d(c.Hidden, c.Hidden, 4, stride: 2, padding: 1), nn.GELU()]);
        encoder.AddRange([nn.Conv1d(c.Hidden, c.Hidden, 3, padding: 1), nn.GELU(), nn.Conv1d(c.Hidden, c.CodeDim, 1)]);
        this.encoder = this.Register("encoder", nn.Sequential([.. encoder]));
        quantizer = this.Register("quantizer", new ResidualVectorQuantizer(c.Codebooks, c.CodebookSize, c.CodeDim, c.Update == CodebookUpdate.Ema));
        var decoder = new List<nn.Module<Tensor, Tensor>> { nn.Conv1d(c.CodeDim, c.Hidden, 3, padding: 1), nn.GELU() };
        for (var i = 0; i < halvings; i++) decoder.AddRange([nn.ConvTranspose1d(c.Hidden, c.Hidden, 4, stride: 2, padding: 1), nn.GELU()]);
        decoder.AddRange([nn.Conv1d(c.Hidden, c.Hidden, 3, padding: 1), nn.GELU(), nn.Conv1d(c.Hidden, featureDim, 3, padding: 1)]);
        this.decoder = this.Register("decoder", nn.Sequential([.. decoder]));
    }

    public CodecTokenizerConfig Config { get; }
    public readonly Tensor feature_mean;
    public readonly Tensor feature_std;
    public readonly Sequential encoder;
    public readonly ResidualVectorQuantizer quantizer;
    public readonly Sequential decoder;

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
