// The decoder-only ASR model's configuration: the Transformer's size (named presets tiny / small / base / medium,
// every value overridable with `with`), its position encoding, and the speech front end that turns the speech
// input into prefix embeddings. ParameterCount is computed from the sizes and checked against built models.
namespace Sld.Bench.Model;

public enum SpeechFrontEnd
{
    /// <summary>Token ids embedded by the shared table (summed over codebooks), or soft distributions as expected embeddings.</summary>
    Tokens,

    /// <summary>Continuous features through 2 x [Conv1d(k=4, s=2) + GELU] then Linear (4x downsampling).</summary>
    Bridge,

    /// <summary>Continuous features through a CTC head: blank frames dropped, runs of one label merged.</summary>
    CtcCompression,
}

/// <summary>How CTC compression merges a run of frames that share one non-blank label.</summary>
public enum CtcMergeRule
{
    Mean,
    First,
}

/// <param name="BlockSize">Longest sequence (speech prefix + text) the model handles.</param>
/// <param name="FeatureDim">Width of continuous features (Bridge and CtcCompression front ends only).</param>
public sealed record AsrModelConfig(
    int Layers,
    int Width,
    int Heads,
    int BlockSize = 1024,
    double Dropout = 0.1,
    PositionEncoding Positions = PositionEncoding.Learned,
    bool TieEmbeddings = true,
    SpeechFrontEnd FrontEnd = SpeechFrontEnd.Tokens,
    int FeatureDim = 0,
    CtcMergeRule CtcMerge = CtcMergeRule.Mean)
{
    public static readonly IReadOnlyList<string> PresetNames = ["tiny", "small", "base", "medium"];

    /// <summary>
    /// tiny 2x128 (2 heads) for tests and demos; small 6x384 (6 heads); base 12x768 (12 heads, GPT-2 small);
    /// medium 24x1024 (16 heads, GPT-2 medium, the SLD paper's size).
    /// </summary>
    public static AsrModelConfig Preset(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => new(Layers: 2, Width: 128, Heads: 2),
        "small" => new(Layers: 6, Width: 384, Heads: 6),
        "base" => new(Layers: 12, Width: 768, Heads: 12),
        "medium" => new(Layers: 24, Width: 1024, Heads: 16),
        _ => throw new ArgumentException($"unknown model preset '{name}'; valid: {string.Join(", ", PresetNames)}"),
    };

    public void Validate()
    {
        ToGpt(1).Validate();
        if (FrontEnd != SpeechFrontEnd.Tokens && FeatureDim < 1)
            throw new ArgumentException($"the {FrontEnd} front end needs FeatureDim > 0");
        if (FrontEnd == SpeechFrontEnd.Tokens && FeatureDim != 0)
            throw new ArgumentException("FeatureDim applies to the Bridge and CtcCompression front ends only");
    }

    public GptConfig ToGpt(int vocabSize) =>
        new(VocabSize: vocabSize, BlockSize: BlockSize, Layers: Layers, Heads: Heads, Embd: Width, Dropout: Dropout,
            Bias: true, TieEmbeddings: TieEmbeddings, Positions: Positions);

    /// <summary>Trainable parameters of a model with this configuration over <paramref name="vocabulary"/>.</summary>
    public long ParameterCount(AsrVocabulary vocabulary)
    {
        long c = Width, v = vocabulary.Size, d = FeatureDim, u = vocabulary.TextUnitCount;
        var total = v * c + Layers * (12 * c * c + 13 * c) + 2 * c;
        if (Positions == PositionEncoding.Learned) total += BlockSize * c;
        if (!TieEmbeddings) total += v * c;
        total += FrontEnd switch
        {
            SpeechFrontEnd.Bridge => (d * c * 4 + c) + (c * c * 4 + c) + (c * c + c),
            SpeechFrontEnd.CtcCompression => (d * c + c) + (c * (u + 1) + u + 1) + (c * c + c),
            _ => 0,
        };
        return total;
    }
}
