// The tokenizer contract the ASR model consumes: an utterance's frame features (T, D) float32 in, token ids
// per codebook out, with the frames each token covers (so dedup and BPE stay traceable to time) and the
// frame rate of the token grid. Tokenizers that quantise against centroids also give per-frame soft
// distributions (T, K) for soft assignment at inference.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

/// <summary>The tokens of one utterance.</summary>
/// <param name="Ids">Ids[c][i] is token i of codebook c, in [0, VocabularySize); every codebook has the same length.</param>
/// <param name="FrameStarts">Token i covers token-grid frames [FrameStarts[i], FrameStarts[i] + FrameCounts[i]).</param>
/// <param name="FrameCounts">1 for raw units; the run length after dedup; the units merged into a BPE piece.</param>
/// <param name="Frames">Frames of the token grid (before dedup/BPE).</param>
/// <param name="FrameRate">Token-grid frames per second (before dedup/BPE).</param>
public sealed record TokenSequence(IReadOnlyList<long[]> Ids, int[] FrameStarts, int[] FrameCounts, int Frames, double FrameRate)
{
    public int Length => FrameStarts.Length;

    public int Codebooks => Ids.Count;

    /// <summary>Tokens of a single codebook with one token per frame.</summary>
    public static TokenSequence PerFrame(long[] ids, double frameRate) => PerFrame([ids], frameRate);

    /// <summary>Tokens with one token per frame in every codebook.</summary>
    public static TokenSequence PerFrame(IReadOnlyList<long[]> ids, double frameRate)
    {
        if (ids.Count == 0) throw new ArgumentException("a token sequence needs at least one codebook");
        var frames = ids[0].Length;
        if (ids.Any(c => c.Length != frames)) throw new ArgumentException("every codebook must have one token per frame");
        return new TokenSequence(ids, [.. Enumerable.Range(0, frames)], [.. Enumerable.Repeat(1, frames)], frames, frameRate);
    }

    public void Validate()
    {
        if (Ids.Count == 0) throw new InvalidDataException("a token sequence needs at least one codebook");
        if (Ids.Any(c => c.Length != Length) || FrameCounts.Length != Length)
            throw new InvalidDataException("every codebook and the frame spans must have one entry per token");
        var next = 0;
        for (var i = 0; i < Length; i++)
        {
            if (FrameStarts[i] != next || FrameCounts[i] < 1) throw new InvalidDataException($"token {i} does not continue the frame spans");
            next += FrameCounts[i];
        }
        if (next != Frames) throw new InvalidDataException($"the tokens cover {next} frames, not {Frames}");
    }
}

/// <summary>A fitted tokenizer, loaded from (or about to be written to) a <see cref="TokenizerStore"/>.</summary>
public interface ISpeechTokenizer : IDisposable
{
    /// <summary>What was fitted, on what, and how it did: the content of the artifact's manifest.json.</summary>
    TokenizerManifest Manifest { get; }

    /// <summary>Token streams per token (1 for k-means; n for a codec emitting all codebooks; mel bins for dMel).</summary>
    int Codebooks { get; }

    /// <summary>Ids of every codebook lie in [0, VocabularySize) (K, or the unit model's piece count after BPE).</summary>
    int VocabularySize { get; }

    /// <summary>Token-grid frames per second, before dedup/BPE.</summary>
    double FrameRate { get; }

    /// <summary>Tokens of one utterance from its frame features (T, D) float32.</summary>
    TokenSequence Encode(Tensor features);
}

/// <summary>A tokenizer whose hard ids are nearest centroids, so a soft distribution over them is defined per frame.</summary>
public interface ISoftTokenizer : ISpeechTokenizer
{
    /// <summary>Codebook size K of the soft distributions (raw units, before dedup/BPE).</summary>
    int CodebookSize { get; }

    /// <summary>
    /// p(k | x_t) = softmax_k(-D_k(x_t) / tau) per token-grid frame: (T, K) float32, rows sum to 1. The caller owns
    /// the tensor. Defined on raw units; pool it over <see cref="TokenSequence.FrameStarts"/> spans for dedup.
    /// </summary>
    Tensor EncodeSoft(Tensor features, SoftAssignmentOptions options);

    /// <summary>The centroids (K, D) the distances are measured to (owned by the tokenizer).</summary>
    Tensor Centroids { get; }
}
