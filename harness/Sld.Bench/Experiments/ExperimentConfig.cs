// The resolved config of one sweep cell, bound strictly from YAML (experiments/base.yaml and its groups). Each
// section is a plain record with the defaults a researcher expects; To*() maps it to the library's own records
// (FeatureConfig, TokenizerConfig, AsrModelConfig, LossConfig, TrainerOptions, DecodeOptions), which validate.
// [ConfigRange] marks the values a setting may take, so `sweep plan` rejects them at file:line:column.
using Sld.Bench.Data;
using Sld.Bench.Shared.Config;
using Sld.Bench.Decoding;
using Sld.Bench.Features;
using Sld.Bench.Model;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using Sld.Bench.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Experiments;

public sealed record ExperimentConfig
{
    /// <summary>Seeds the model initialisation, dropout, masking and batch order (the tokenizer has its own).</summary>
    public required long Seed { get; init; }

    public required DataSection Data { get; init; }

    public FeatureSection Features { get; init; } = new();

    public required TokenizerSection Tokenizer { get; init; }

    public required ModelSection Model { get; init; }

    public required LossSection Loss { get; init; }

    public required TrainSection Train { get; init; }

    public DecodeSection Decode { get; init; } = new();
}

/// <summary>Where the utterances come from: the built-in corpus (<see cref="Synth"/>) or named splits on disk.</summary>
/// <param name="Synth">A built-in corpus preset (tiny, demo) made with espeak-ng under the work folder; null uses <see cref="Splits"/>.</param>
/// <param name="Splits">Split name to a LibriSpeech folder, Kaldi data dir or JSONL manifest: a path, or {path, format}.</param>
/// <param name="Test">The test sets scored after training, in order.</param>
/// <param name="MaxTrainUtterances">Keep only the first N training utterances (by id), for quick runs.</param>
public sealed record DataSection(
    string? Synth = null,
    int SynthSeed = 0,
    Dictionary<string, SplitSource>? Splits = null,
    string Train = "train",
    string Dev = "dev",
    List<string>? Test = null,
    [ConfigRange(0, 1)] double MaxSkipFraction = SkipReport.DefaultMaxSkipFraction,
    [ConfigRange(1)] int? MaxTrainUtterances = null,
    [ConfigRange(1)] int? MaxDevUtterances = null)
{
    public TextNormalization Normalization { get; init; } = new();

    public IReadOnlyList<string> TestSets => Test ?? ["test"];
}

/// <summary>Frame features: Kaldi-compatible fbank or MFCC, then CMVN and an optional frame-rate reduction.</summary>
/// <param name="Subsample">Average every N consecutive frames (2 turns 100 Hz features into a 50 Hz token grid).</param>
public sealed record FeatureSection(
    FeatureKind Kind = FeatureKind.Fbank,
    [ConfigRange(1)] int? NumMelBins = null,
    [ConfigRange(1)] int NumCeps = 13,
    [ConfigRange(0)] int DeltaOrder = 0,
    CmvnMode Cmvn = CmvnMode.Utterance,
    [ConfigRange(1)] int Subsample = 1)
{
    public FeatureConfig ToFeatureConfig() =>
        new FeatureConfig { Kind = Kind, NumMelBins = NumMelBins, NumCeps = NumCeps, DeltaOrder = DeltaOrder }.Validate();

    public void Validate()
    {
        if (Subsample < 1) throw new ArgumentException($"features.subsample must be >= 1, got {Subsample}");
    }
}

public enum TokenizerKind
{
    /// <summary>k-means on frame features; hard ids (or soft distributions at inference, see Assignment).</summary>
    Kmeans,

    /// <summary>A convolutional codec with residual vector quantisation.</summary>
    Codec,

    /// <summary>Discretised log-mel bins (no training).</summary>
    Dmel,

    /// <summary>No tokenizer: continuous features through a bridge network (the baseline).</summary>
    Continuous,
}

public enum Assignment
{
    Hard,

    /// <summary>Trained on hard ids; at inference each frame is p(k|x) = softmax(-D_k(x)/tau), read as an expected embedding.</summary>
    Soft,
}

/// <summary>The tokenizer axis: which kind, its fit settings, post-processing and how tokens are read at inference.</summary>
public sealed record TokenizerSection(
    TokenizerKind Kind = TokenizerKind.Kmeans,
    [ConfigRange(1)] int K = 100,
    KMeansInit Init = KMeansInit.KMeansPlusPlus,
    KMeansAlgorithm Algorithm = KMeansAlgorithm.Lloyd,
    [ConfigRange(1)] int Iterations = 20,
    [ConfigRange(0, 1, MinExclusive = true)] double FitFraction = 1.0,
    [ConfigRange(1)] long? MaxFitFrames = 200_000,
    long FitSeed = 0,
    bool Dedup = false,
    UnitModelKind? Units = null,
    [ConfigRange(0)] int UnitVocabulary = 0,
    Assignment Assignment = Assignment.Hard,
    [ConfigRange(0, MinExclusive = true)] double Tau = 1.0,
    SoftDistance Distance = SoftDistance.Squared,
    [ConfigRange(1)] int Codebooks = 2,
    [ConfigRange(1)] int CodebookSize = 256,
    [ConfigRange(1)] int CodecHidden = 128,
    [ConfigRange(1)] int CodecCodeDim = 32,
    [ConfigRange(1)] int CodecDownsample = 1,
    [ConfigRange(1)] int CodecSteps = 400,
    CodecTokens CodecTokens = CodecTokens.FirstCodebook,
    [ConfigRange(1)] int Bins = 16,
    SpeechFrontEnd FrontEnd = SpeechFrontEnd.Bridge)
{
    /// <summary>The library's tokenizer config; null for continuous features.</summary>
    public TokenizerConfig? ToTokenizerConfig()
    {
        var fit = new FitDataOptions(FitFraction, MaxFitFrames, (ulong)FitSeed);
        var post = new PostProcessingOptions(Dedup, Units is { } u ? new UnitModelOptions(u, UnitVocabulary) : null);
        TokenizerConfig? config = Kind switch
        {
            TokenizerKind.Kmeans => new KMeansTokenizerConfig(new KMeansOptions(K, Init, Algorithm, MaxIterations: Iterations, Seed: (ulong)FitSeed))
            {
                FitData = fit, Post = post,
            },
            TokenizerKind.Codec => new CodecTokenizerConfig(Codebooks, CodebookSize, CodecHidden, CodecCodeDim, CodecDownsample, CodecSteps,
                Tokens: CodecTokens, Seed: (ulong)FitSeed) { FitData = fit, Post = post },
            TokenizerKind.Dmel => new DMelTokenizerConfig(Bins) { FitData = fit },
            _ => null,
        };
        config?.Validate();
        return config;
    }

    public void Validate()
    {
        if (Assignment == Assignment.Soft)
        {
            if (Kind != TokenizerKind.Kmeans) throw new ArgumentException($"tokenizer.assignment: soft needs k-means centroids, not {Kind}");
            if (Dedup || Units is not null)
                throw new ArgumentException("tokenizer.assignment: soft reads one distribution per frame; it cannot follow dedup or BPE units");
            new SoftAssignmentOptions(Tau, Distance).Validate();
        }
        if (Kind == TokenizerKind.Continuous && FrontEnd == SpeechFrontEnd.Tokens)
            throw new ArgumentException("continuous features need tokenizer.front_end: bridge or ctc_compression");
        if (Kind != TokenizerKind.Continuous && FrontEnd == SpeechFrontEnd.CtcCompression)
            throw new ArgumentException("tokenizer.front_end: ctc_compression applies to continuous features only");
    }
}

/// <summary>What the model writes: characters, or byte-pair pieces over the training transcripts' words.</summary>
public enum TextUnitKind
{
    Characters,
    Bpe,
}

/// <summary>A size preset (tiny, small, base, medium) with any value overridden, and the text units it writes.</summary>
public sealed record ModelSection(
    string Preset = "tiny",
    [ConfigRange(1)] int? Layers = null,
    [ConfigRange(1)] int? Width = null,
    [ConfigRange(1)] int? Heads = null,
    [ConfigRange(1)] int BlockSize = 1024,
    [ConfigRange(0, 1, MaxExclusive = true)] double Dropout = 0.1,
    PositionEncoding Positions = PositionEncoding.Learned,
    bool TieEmbeddings = true,
    TextUnitKind TextUnits = TextUnitKind.Characters,
    [ConfigRange(0)] int TextVocabulary = 0)
{
    /// <summary>The shared vocabulary: the text units learned from the training transcripts, then the speech tokens.</summary>
    public AsrVocabulary Vocabulary(IEnumerable<string> transcripts, int speechTokensPerCodebook, int codebooks) => TextUnits switch
    {
        TextUnitKind.Bpe when TextVocabulary <= 0 => throw new ArgumentException("model.text_units: bpe needs model.text_vocabulary (the number of text units, e.g. 300)"),
        TextUnitKind.Bpe => AsrVocabulary.BytePairs(transcripts, TextVocabulary, speechTokensPerCodebook, codebooks),
        _ => AsrVocabulary.Characters(transcripts, speechTokensPerCodebook, codebooks),
    };

    public AsrModelConfig ToModelConfig(SpeechFrontEnd frontEnd, int featureDim)
    {
        var preset = AsrModelConfig.Preset(Preset);
        var config = preset with
        {
            Layers = Layers ?? preset.Layers,
            Width = Width ?? preset.Width,
            Heads = Heads ?? preset.Heads,
            BlockSize = BlockSize,
            Dropout = Dropout,
            Positions = Positions,
            TieEmbeddings = TieEmbeddings,
            FrontEnd = frontEnd,
            FeatureDim = frontEnd == SpeechFrontEnd.Tokens ? 0 : featureDim,
        };
        config.Validate();
        return config;
    }
}

/// <summary>The loss strategy (methods.md sections 1-3) and its parameters; defaults are the SLD authors' code.</summary>
public sealed record LossSection(
    LossStrategy Strategy = LossStrategy.LossMasking,
    [ConfigRange(0)] double WeightCeText = 1.0,
    [ConfigRange(0)] double? WeightCeSpeech = null,
    [ConfigRange(0)] double Alpha = 0.008,
    KlForm KlForm = KlForm.Code,
    [ConfigRange(0, 1)] double Eps = 0.1,
    [ConfigRange(0, MinExclusive = true)] double Temperature = 1.0,
    [ConfigRange(0, 1)] double CtcWeight = 0.3)
{
    public LossConfig ToLossConfig()
    {
        var config = Strategy switch
        {
            LossStrategy.LossMasking => LossConfig.LossMasking() with { WeightCeText = WeightCeText, CtcWeight = CtcWeight },
            LossStrategy.MultimodalCe => LossConfig.MultimodalCe(WeightCeSpeech ?? 1.0, WeightCeText) with { CtcWeight = CtcWeight },
            _ => LossConfig.Sld(Alpha, KlForm, Eps, Temperature) with { WeightCeText = WeightCeText, WeightCeSpeech = WeightCeSpeech ?? 1.0, CtcWeight = CtcWeight },
        };
        config.Validate();
        return config;
    }
}

/// <summary>The optimiser, batching, evaluation cadence and input masking of training.</summary>
public sealed record TrainSection(
    [ConfigRange(1)] long Steps = 1000,
    [ConfigRange(0, MinExclusive = true)] double Lr = 1e-3,
    [ConfigRange(0)] double WeightDecay = 0.01,
    [ConfigRange(0)] long Warmup = 100,
    DecayKind Decay = DecayKind.Cosine,
    [ConfigRange(0, 1)] double MinLrFactor = 0.0,
    [ConfigRange(0)] double GradClip = 1.0,
    [ConfigRange(1)] int Accumulation = 1,
    [ConfigRange(1)] int BatchTokens = 8192,
    [ConfigRange(1)] int MaxBatchSize = 64,
    [ConfigRange(1)] int EvalEvery = 250,
    [ConfigRange(1)] int CheckpointEvery = 100,
    [ConfigRange(0)] int EarlyStoppingPatience = 0,
    ScalarType Precision = ScalarType.Float32,
    [ConfigRange(0, 1, MaxExclusive = true)] double MaskFraction = 0.0,
    MaskScope MaskScope = MaskScope.Speech,
    MaskReplacement MaskReplacement = MaskReplacement.RandomSpeechToken,
    [ConfigRange(0)] int? DevDecodeLimit = 100)
{
    public TrainerOptions ToTrainerOptions(long seed, DecodeOptions devDecoding)
    {
        var options = new TrainerOptions(
            Steps, Lr, WeightDecay, WarmupSteps: Warmup, Decay: Decay, MinLrFactor: MinLrFactor, GradClip: GradClip,
            GradientAccumulation: Accumulation, MaxBatchTokens: BatchTokens, MaxBatchSize: MaxBatchSize, EvalEvery: EvalEvery,
            CheckpointEvery: CheckpointEvery, EarlyStoppingPatience: EarlyStoppingPatience, Precision: Precision, Seed: (ulong)seed,
            Masking: MaskFraction > 0 ? new InputMasking(MaskFraction, MaskScope, MaskReplacement) : null,
            DevDecoding: devDecoding, DevDecodeLimit: DevDecodeLimit);
        options.Validate();
        return options;
    }
}

/// <summary>How test sets are decoded.</summary>
public sealed record DecodeSection(
    SearchKind Search = SearchKind.Greedy,
    [ConfigRange(1)] int BeamSize = 4,
    double LengthPenalty = 1.0,
    [ConfigRange(0, MinExclusive = true)] double MaxTokensPerFrame = 1.0,
    [ConfigRange(0)] int MaxTokensOffset = 20,
    [ConfigRange(1)] int BatchSize = 32)
{
    public DecodeOptions ToDecodeOptions()
    {
        var options = Search == SearchKind.Greedy
            ? DecodeOptions.Greedy(MaxTokensPerFrame, MaxTokensOffset) with { BatchSize = BatchSize }
            : DecodeOptions.Beam(BeamSize, LengthPenalty, MaxTokensPerFrame, MaxTokensOffset) with { BatchSize = BatchSize };
        options.Validate();
        return options;
    }
}
