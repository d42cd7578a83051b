// The configuration records of every tokenizer kind. A config, the features it quantises and the selected fit
// data identify an artifact: their canonical JSON (ManifestJson) is hashed into the store key, so two runs
// with the same tokenizer configuration share one fitted artifact.
using System.Text.Json.Serialization;

namespace Sld.Bench.Tokenizers;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(KMeansTokenizerConfig), KMeansTokenizerConfig.KindName)]
[JsonDerivedType(typeof(CodecTokenizerConfig), CodecTokenizerConfig.KindName)]
[JsonDerivedType(typeof(DMelTokenizerConfig), DMelTokenizerConfig.KindName)]
public abstract record TokenizerConfig
{
    [JsonIgnore] public abstract string Kind { get; }

    /// <summary>Which part of the training split to fit on.</summary>
    public FitDataOptions FitData { get; init; } = new();

    /// <summary>Throws ArgumentException naming the first invalid setting.</summary>
    public virtual void Validate() => FitData.Validate();
}

public enum UnitModelKind
{
    /// <summary>Byte-pair encoding: repeatedly merge the most frequent adjacent pair.</summary>
    Bpe,

    /// <summary>SentencePiece's unigram language model (EM over a seed vocabulary, then pruning), as the SLD paper used.</summary>
    Unigram,
}

/// <param name="VocabularySize">Pieces in the unit model, the raw units included (SLD: 6000 over K = 2000).</param>
/// <param name="MaxPieceLength">Longest piece, in raw units.</param>
public sealed record UnitModelOptions(UnitModelKind Model = UnitModelKind.Unigram, int VocabularySize = 6000, int MaxPieceLength = 8)
{
    public void Validate(int units)
    {
        if (VocabularySize <= units)
            throw new ArgumentException($"a unit model over {units} units needs a vocabulary larger than {units}, got {VocabularySize}");
        if (MaxPieceLength < 2) throw new ArgumentException($"MaxPieceLength must be at least 2, got {MaxPieceLength}");
    }
}

/// <summary>What happens to a single stream of raw units after quantisation, as separate settings.</summary>
/// <param name="Dedup">Collapse runs of the same unit into one token.</param>
/// <param name="Units">Learn BPE/unigram pieces over the (deduplicated) unit strings; null keeps raw units.</param>
public sealed record PostProcessingOptions(bool Dedup = false, UnitModelOptions? Units = null)
{
    [JsonIgnore] public bool IsIdentity => !Dedup && Units is null;
}

/// <summary>k-means over frame features (hard ids = nearest centroid; soft distributions at inference).</summary>
public sealed record KMeansTokenizerConfig(KMeansOptions Clustering) : TokenizerConfig
{
    public const string KindName = "kmeans";

    [JsonIgnore] public override string Kind => KindName;

    public PostProcessingOptions Post { get; init; } = new();

    public override void Validate()
    {
        base.Validate();
        Clustering.Validate();
        Post.Units?.Validate(Clustering.K);
    }
}

public enum CodebookUpdate
{
    /// <summary>Codebooks follow the mean of their assigned latents by exponential moving average (VQ-VAE-2, EnCodec).</summary>
    Ema,

    /// <summary>Codebooks are parameters trained by the codebook loss |sg(z) - q|^2 (VQ-VAE).</summary>
    Loss,
}

public enum CodecTokens
{
    /// <summary>Only the first codebook: one stream of K ids (post-processing allowed).</summary>
    FirstCodebook,

    /// <summary>Every codebook: n streams of K ids per token.</summary>
    AllCodebooks,
}

/// <summary>A convolutional encoder/decoder with residual vector quantisation, trained to reconstruct the features.</summary>
/// <param name="Codebooks">Residual quantisers n.</param>
/// <param name="CodebookSize">Codes per quantiser K.</param>
/// <param name="Hidden">Channels of the convolutional encoder and decoder.</param>
/// <param name="CodeDim">Dimension of the quantised latent.</param>
/// <param name="Downsample">Token-grid stride over feature frames (1, 2 or 4; each halving is one strided conv).</param>
/// <param name="Steps">Training steps.</param>
/// <param name="BatchSize">Crops per step.</param>
/// <param name="CropFrames">Feature frames per crop (a multiple of Downsample).</param>
/// <param name="CommitmentWeight">beta of the commitment loss |z - sg(q)|^2.</param>
/// <param name="Update">How codebooks learn: EMA of assigned latents, or the codebook loss.</param>
/// <param name="EmaDecay">Decay of the codebook EMA (Update = Ema) and of the usage counts that find dead codes (both modes).</param>
/// <param name="DeadCodeThreshold">A code whose usage EMA falls below this fraction of the average code's is restarted on a random
/// latent of the batch.</param>
public sealed record CodecTokenizerConfig(
    int Codebooks = 4,
    int CodebookSize = 256,
    int Hidden = 256,
    int CodeDim = 64,
    int Downsample = 2,
    int Steps = 2000,
    int BatchSize = 16,
    int CropFrames = 64,
    double LearningRate = 1e-3,
    double CommitmentWeight = 0.25,
    CodebookUpdate Update = CodebookUpdate.Ema,
    double EmaDecay = 0.99,
    double DeadCodeThreshold = 0.1,
    CodecTokens Tokens = CodecTokens.FirstCodebook,
    ulong Seed = 0) : TokenizerConfig
{
    public const string KindName = "codec";

    [JsonIgnore] public override string Kind => KindName;

    public PostProcessingOptions Post { get; init; } = new();

    public override void Validate()
    {
        base.Validate();
        if (Codebooks < 1 || CodebookSize < 2) throw new ArgumentException($"a codec needs >= 1 codebooks of >= 2 codes, got {Codebooks} x {CodebookSize}");
        if (Hidden < 1 || CodeDim < 1) throw new ArgumentException($"codec widths must be positive (hidden {Hidden}, code {CodeDim})");
        if (Downsample is not (1 or 2 or 4)) throw new ArgumentException($"codec downsampling must be 1, 2 or 4, got {Downsample}");
        if (Steps < 1 || BatchSize < 1) throw new ArgumentException($"codec training needs positive steps and batch size, got {Steps} and {BatchSize}");
        if (CropFrames < Downsample || CropFrames % Downsample != 0)
            throw new ArgumentException($"crop of {CropFrames} frames must be a positive multiple of the downsampling {Downsample}");
        if (!(LearningRate > 0)) throw new ArgumentException($"learning rate must be positive, got {LearningRate}");
        if (EmaDecay is <= 0 or >= 1) throw new ArgumentException($"EMA decay must be in (0, 1), got {EmaDecay}");
        if (DeadCodeThreshold is < 0 or >= 1) throw new ArgumentException($"dead-code threshold must be in [0, 1), got {DeadCodeThreshold}");
        if (Tokens == CodecTokens.AllCodebooks && !Post.IsIdentity)
            throw new ArgumentException("dedup and unit models apply to one stream: use Tokens = FirstCodebook with post-processing");
        Post.Units?.Validate(CodebookSize);
    }
}

/// <summary>dMel: each log-mel bin of each frame quantised to one of <paramref name="Bins"/> uniform levels; no training.</summary>
/// <param name="Min">Lowest level; null takes the minimum over the fit data.</param>
/// <param name="Max">Highest level; null takes the maximum over the fit data.</param>
public sealed record DMelTokenizerConfig(int Bins = 16, double? Min = null, double? Max = null) : TokenizerConfig
{
    public const string KindName = "dmel";

    [JsonIgnore] public override string Kind => KindName;

    public override void Validate()
    {
        base.Validate();
        if (Bins < 2) throw new ArgumentException($"dMel needs at least 2 bins, got {Bins}");
        if (Min is { } lo && Max is { } hi && !(hi > lo)) throw new ArgumentException($"dMel range [{lo}, {hi}] is empty");
    }
}
