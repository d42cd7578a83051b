// The HuBERT / wav2vec 2.0 architecture in forward order, as torchaudio's Wav2Vec2Model: a convolutional
// waveform front end (group norm on the first block for Base, layer norm on every block for Large), feature
// projection, a convolutional positional embedding with weight norm, and a Transformer encoder (post-LN for
// Base, pre-LN for Large). Parameter names are torchaudio's, so its state dicts load as they are.
//
// Layer convention (HuggingFace's hidden_states): layer 0 is the Transformer input (projected CNN features plus
// the positional convolution, then the encoder LayerNorm for post-LN models); layer k (1..N) is the output of
// block k, i.e. torchaudio's extract_features()[k - 1]. SLD's "layer 23 of 24" is layer 23 here. The CNN output
// itself (512-d, before the projection) is ConvFeatures.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Encoders;

public enum ExtractorNorm
{
    /// <summary>GroupNorm with one group per channel on the first conv block only (HuBERT/wav2vec 2.0 Base).</summary>
    GroupNorm,

    /// <summary>LayerNorm over channels on every conv block (Large).</summary>
    LayerNorm,
}

/// <param name="Channels">Output channels of a conv block.</param>
public sealed record ConvLayerSpec(int Channels, int Kernel, int Stride);

/// <param name="LayerNormFirst">Pre-LN blocks (Large) instead of post-LN (Base).</param>
/// <param name="NormalizeWaveform">Standardise each waveform to zero mean and unit variance first (what Large checkpoints expect).</param>
public sealed record HubertConfig(
    int EmbedDim = 768,
    int Layers = 12,
    int Heads = 12,
    int FfnDim = 3072,
    ExtractorNorm Extractor = ExtractorNorm.GroupNorm,
    bool ConvBias = false,
    int PosConvKernel = 128,
    int PosConvGroups = 16,
    bool LayerNormFirst = false,
    bool NormalizeWaveform = false)
{
    /// <summary>The CNN front end: (512, 10, 5), 4 x (512, 3, 2), 2 x (512, 2, 2): 320 samples per frame.</summary>
    public IReadOnlyList<ConvLayerSpec> ConvLayers { get; init; } =
        [new(512, 10, 5), new(512, 3, 2), new(512, 3, 2), new(512, 3, 2), new(512, 3, 2), new(512, 2, 2), new(512, 2, 2)];

    public static HubertConfig Base => new();

    public static HubertConfig Large => new(1024, 24, 16, 4096, ExtractorNorm.LayerNorm, ConvBias: true, LayerNormFirst: true, NormalizeWaveform: true);

    public int SamplesPerFrame => ConvLayers.Aggregate(1, (a, c) => a * c.Stride);

    public void Validate()
    {
        if (EmbedDim < 1 || Layers < 1 || Heads < 1 || FfnDim < 1 || ConvLayers.Count == 0)
            throw new ArgumentException($"HuBERT sizes must be positive: {this}");
        if (EmbedDim % Heads != 0) throw new ArgumentException($"embedding width {EmbedDim} is not divisible by {Heads} heads");
        if (EmbedDim % PosConvGroups != 0) throw new ArgumentException($"embedding width {EmbedDim} is not divisible by {PosConvGroups} groups");
    }
}

public sealed class ConvLayerBlock : nn.Module<Tensor, Tensor>
{
    public ConvLayerBlock(int inChannels, ConvLayerSpec spec, bool bias, nn.Module<Tensor, Tensor>? norm) : base(nameof(ConvLayerBlock))
    {
        conv = this.Register("conv", nn.Conv1d(inChannels, spec.Channels, spec.Kernel, spec.Stride, bias: bias));
        if (norm is not null) layer_norm = this.Register("layer_norm", norm);
    }

    public readonly Conv1d conv;
    public readonly nn.Module<Tensor, Tensor>? layer_norm;

    public override Tensor forward(Tensor x) // (B, C_in, L) -> (B, C_out, L')
    {
        var y = conv.forward(x);
        if (layer_norm is not null) y = layer_norm.forward(y);
        return F.gelu(y);
    }
}

/// <summary>LayerNorm over the channels of (B, C, L), as torchaudio's transposing LayerNorm.</summary>
public sealed class ChannelLayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly long _channels;

    public ChannelLayerNorm(long channels) : base(nameof(ChannelLayerNorm))
    {
        _channels = channels;
        weight = this.RegisterParameter("weight", torch.ones([channels]));
        bias = this.RegisterParameter("bias", torch.zeros([channels]));
    }

    public readonly Tensor weight;
    public readonly Tensor bias;

    public override Tensor forward(Tensor x) => F.layer_norm(x.transpose(-2, -1), [_channels], weight, bias).transpose(-2, -1);
}

public sealed class FeatureProjection : nn.Module<Tensor, Tensor>
{
    public FeatureProjection(int inFeatures, int outFeatures) : base(nameof(FeatureProjection))
    {
        layer_norm = this.Register("layer_norm", nn.LayerNorm(inFeatures));
        projection = this.Register("projection", nn.Linear(inFeatures, outFeatures));
    }

    public readonly LayerNorm layer_norm;
    public readonly Linear projection;

    public override Tensor forward(Tensor x) => projection.forward(layer_norm.forward(x)); // (B, T, 512) -> (B, T, E)
}

/// <summary>Grouped Conv1d with weight norm over dim 2 (weight = g * v / |v|, the norm taken over dims 0 and 1).</summary>
public sealed class WeightNormConv1d : nn.Module<Tensor, Tensor>
{
    private readonly long _padding, _groups;

    public WeightNormConv1d(int channels, int kernel, int groups) : base(nameof(WeightNormConv1d))
    {
        (_padding, _groups) = (kernel / 2, groups);
        using var init = nn.Conv1d(channels, channels, kernel, padding: kernel / 2, groups: groups);
        weight_v = this.RegisterParameter("weight_v", init.weight.detach().clone());
        using (var g = init.weight.detach().square().sum([0, 1], keepdim: true)) weight_g = this.RegisterParameter("weight_g", g.sqrt());
        bias = this.RegisterParameter("bias", init.bias!.detach().clone());
    }

    public readonly Tensor weight_g;
    public readonly Tensor weight_v;
    public readonly Tensor bias;

    public override Tensor forward(Tensor x)
    {
        var norm = weight_v.square().sum([0, 1], keepdim: true).sqrt(); // (1, 1, K)
        var weight = weight_v.mul(weight_g.div(norm));
        return F.conv1d(x, weight, bias, padding: _padding, groups: _groups);
    }
}

public sealed class ConvolutionalPositionalEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly int _remove;

    public ConvolutionalPositionalEmbedding(int embedDim, int kernel, int groups) : base(nameof(ConvolutionalPositionalEmbedding))
    {
        conv = this.Register("conv", new WeightNormConv1d(embedDim, kernel, groups));
        _remove = kernel % 2 == 0 ? 1 : 0; // an even kernel with padding k/2 makes one frame too many
    }

    public readonly WeightNormConv1d conv;

    public override Tensor forward(Tensor x) // (B, T, E)
    {
        var y = conv.forward(x.transpose(-2, -1)); // (B, E, T + remove)
        if (_remove > 0) y = y.narrow(2, 0, y.size(2) - _remove);
        return F.gelu(y).transpose(-2, -1);
    }
}

public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;

    public SelfAttention(int embedDim, int heads) : base(nameof(SelfAttention))
    {
        _heads = heads;
        k_proj = this.Register("k_proj", nn.Linear(embedDim, embedDim));
        v_proj = this.Register("v_proj", nn.Linear(embedDim, embedDim));
        q_proj = this.Register("q_proj", nn.Linear(embedDim, embedDim));
        out_proj = this.Register("out_proj", nn.Linear(embedDim, embedDim));
    }

    public readonly Linear k_proj;
    public readonly Linear v_proj;
    public readonly Linear q_proj;
    public readonly Linear out_proj;

    public override Tensor forward(Tensor x)
    {
        var (B, T, E) = (x.size(0), x.size(1), x.size(2));
        var q = q_proj.forward(x).view(B, T, _heads, E / _heads).transpose(1, 2); // (B, H, T, hd)
        var k = k_proj.forward(x).view(B, T, _heads, E / _heads).transpose(1, 2);
        var v = v_proj.forward(x).view(B, T, _heads, E / _heads).transpose(1, 2);
        var y = F.scaled_dot_product_attention(q, k, v); // (B, H, T, hd), no mask: one unpadded utterance
        return out_proj.forward(y.transpose(1, 2).reshape(B, T, E));
    }
}

public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    public FeedForward(int embedDim, int ffnDim) : base(nameof(FeedForward))
    {
        intermediate_dense = this.Register("intermediate_dense", nn.Linear(embedDim, ffnDim));
        output_dense = this.Register("output_dense", nn.Linear(ffnDim, embedDim));
    }

    public readonly Linear intermediate_dense;
    public readonly Linear output_dense;

    public override Tensor forward(Tensor x) => output_dense.forward(F.gelu(intermediate_dense.forward(x)));
}

public sealed class EncoderLayer : nn.Module<Tensor, Tensor>
{
    private readonly bool _layerNormFirst;

    public EncoderLayer(HubertConfig c) : base(nameof(EncoderLayer))
    {
        _layerNormFirst = c.LayerNormFirst;
        attention = this.Register("attention", new SelfAttention(c.EmbedDim, c.Heads));
        layer_norm = this.Register("layer_norm", nn.LayerNorm(c.EmbedDim));
        feed_forward = this.Register("feed_forward", new FeedForward(c.EmbedDim, c.FfnDim));
        final_layer_norm = this.Register("final_layer_norm", nn.LayerNorm(c.EmbedDim));
    }

    public readonly SelfAttention attention;
    public readonly LayerNorm layer_norm;
    public readonly FeedForward feed_forward;
    public readonly LayerNorm final_layer_norm;

    public override Tensor forward(Tensor x) // (B, T, E)
    {
        if (_layerNormFirst)
        {
            x = x + attention.forward(layer_norm.forward(x));
            return x + feed_forward.forward(final_layer_norm.forward(x));
        }
        x = layer_norm.forward(x + attention.forward(x));
        return final_layer_norm.forward(x + feed_forward.forward(x));
    }
}

public sealed class HubertTransformer : nn.Module
{
    private readonly bool _normaliseInput;

    public HubertTransformer(HubertConfig c) : base(nameof(HubertTransformer))
    {
        _normaliseInput = !c.LayerNormFirst; // post-LN models normalise the block input; pre-LN ones their output
        pos_conv_embed = this.Register("pos_conv_embed", new ConvolutionalPositionalEmbedding(c.EmbedDim, c.PosConvKernel, c.PosConvGroups));
        layer_norm = this.Register("layer_norm", nn.LayerNorm(c.EmbedDim));
        layers = this.Register("layers", nn.ModuleList<EncoderLayer>(Enumerable.Range(0, c.Layers).Select(_ => new EncoderLayer(c)).ToArray()));
    }

    public readonly ConvolutionalPositionalEmbedding pos_conv_embed;
    public readonly LayerNorm layer_norm;
    public readonly ModuleList<EncoderLayer> layers;

    /// <summary>Layer 0: the input of block 1 (B, T, E).</summary>
    public Tensor Preprocess(Tensor x)
    {
        x = x + pos_conv_embed.forward(x);
        return _normaliseInput ? layer_norm.forward(x) : x;
    }
}

public sealed class HubertEncoderStack : nn.Module
{
    public HubertEncoderStack(HubertConfig c) : base(nameof(HubertEncoderStack))
    {
        feature_projection = this.Register("feature_projection", new FeatureProjection(c.ConvLayers[^1].Channels, c.EmbedDim));
        transformer = this.Register("transformer", new HubertTransformer(c));
    }

    public readonly FeatureProjection feature_projection;
    public readonly HubertTransformer transformer;
}

public sealed class HubertEncoder : nn.Module
{
    public HubertEncoder(HubertConfig config) : base(nameof(HubertEncoder))
    {
        config.Validate();
        Config = config;
        var blocks = new List<ConvLayerBlock>();
        var inChannels = 1;
        for (var i = 0; i < config.ConvLayers.Count; i++)
        {
            var spec = config.ConvLayers[i];
            nn.Module<Tensor, Tensor>? norm = config.Extractor switch
            {
                ExtractorNorm.GroupNorm when i == 0 => nn.GroupNorm(spec.Channels, spec.Channels),
                ExtractorNorm.LayerNorm => new ChannelLayerNorm(spec.Channels),
                _ => null,
            };
            blocks.Add(new ConvLayerBlock(inChannels, spec, config.ConvBias, norm));
            inChannels = spec.Channels;
        }
        feature_extractor = this.Register("feature_extractor", new FeatureExtractor(blocks));
        encoder = this.Register("encoder", new HubertEncoderStack(config));
        eval();
    }

    public HubertConfig Config { get; }
    public readonly FeatureExtractor feature_extractor;
    public readonly HubertEncoderStack encoder;

    /// <summary>Frames a waveform of <paramref name="samples"/> samples yields (each conv: floor((L - k) / s) + 1).</summary>
    public long Frames(long samples) => Config.ConvLayers.Aggregate(samples, (l, c) => Math.Max(0, (l - c.Kernel) / c.Stride + 1));

    /// <summary>The CNN front end's output (T, C) of a mono waveform (samples) at 16 kHz.</summary>
    public Tensor ConvFeatures(Tensor waveform)
    {
        if (waveform.dim() != 1) throw new ArgumentException($"expected a mono waveform (samples), got [{string.Join(", ", waveform.shape)}]");
        if (Frames(waveform.size(0)) < 1) throw new ArgumentException($"{waveform.size(0)} samples are too few for one frame");
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = waveform.to(ScalarType.Float32).to(encoder.feature_projection.projection.weight.device); // runs where the model is
        if (Config.NormalizeWaveform) x = x.sub(x.mean()).div(x.var(unbiased: false).add(1e-7).sqrt());
        var features = feature_extractor.forward(x.view(1, 1, -1)); // (1, C, T)
        return features.squeeze(0).t().contiguous().MoveToOuterDisposeScope(); // (T, C)
    }

    /// <summary>Layers 0..<paramref name="upTo"/> (default all), each (T, E); see the layer convention above.</summary>
    public IReadOnlyList<Tensor> Layers(Tensor waveform, int? upTo = null)
    {
        var last = upTo ?? Config.Layers;
        if (last < 0 || last > Config.Layers) throw new ArgumentOutOfRangeException(nameof(upTo), last, $"layers are 0..{Config.Layers}");
        using var cnn = ConvFeatures(waveform);
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = encoder.transformer.Preprocess(encoder.feature_projection.forward(cnn.unsqueeze(0))); // (1, T, E)
        var outputs = new List<Tensor> { x };
        for (var k = 0; k < last; k++)
        {
            x = encoder.transformer.layers[k].forward(x);
            outputs.Add(x);
        }
        return outputs.Select(o => o.squeeze(0).contiguous().MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>One layer (T, E) of the convention above, computing no block past it.</summary>
    public Tensor Layer(Tensor waveform, int layer)
    {
        var all = Layers(waveform, layer);
        for (var i = 0; i < all.Count - 1; i++) all[i].Dispose();
        return all[^1];
    }
}

public sealed class FeatureExtractor : nn.Module<Tensor, Tensor>
{
    public FeatureExtractor(IEnumerable<ConvLayerBlock> blocks) : base(nameof(FeatureExtractor)) =>
        conv_layers = this.Register("conv_layers", nn.ModuleList<ConvLayerBlock>(blocks.ToArray()));

    public readonly ModuleList<ConvLayerBlock> conv_layers;

    public override Tensor forward(Tensor x) // (B, 1, samples) -> (B, C, T)
    {
        foreach (var block in conv_layers) x = block.forward(x);
        return x;
    }
}
