// Decoding a set of utterances into transcripts: batches of similar length, prompt = speech + <speech_end>,
// generation until <text_end> or max_new_tokens = a * speech_frames + b (or the block size), only text units and
// <text_end> allowed. Greedy search here; beam search in BeamSearch.cs. Every hypothesis says why it ended.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Decoding;

public enum SearchKind
{
    Greedy,
    Beam,
}

/// <param name="BeamSize">Hypotheses kept per utterance (beam search only).</param>
/// <param name="LengthPenalty">Beam search ranks finished hypotheses by sum log-prob / length^LengthPenalty.</param>
/// <param name="MaxTokensPerFrame">a in max_new_tokens = a * speech_frames + b.</param>
/// <param name="MaxTokensOffset">b in max_new_tokens = a * speech_frames + b.</param>
/// <param name="BatchSize">Utterances decoded together.</param>
public sealed record DecodeOptions(
    SearchKind Search = SearchKind.Greedy,
    int BeamSize = 1,
    double LengthPenalty = 1.0,
    double MaxTokensPerFrame = 1.0,
    int MaxTokensOffset = 20,
    int BatchSize = 32)
{
    public static DecodeOptions Greedy(double maxTokensPerFrame = 1.0, int maxTokensOffset = 20) =>
        new(SearchKind.Greedy, 1, 0, maxTokensPerFrame, maxTokensOffset);

    public static DecodeOptions Beam(int beamSize, double lengthPenalty = 1.0, double maxTokensPerFrame = 1.0, int maxTokensOffset = 20) =>
        new(SearchKind.Beam, beamSize, lengthPenalty, maxTokensPerFrame, maxTokensOffset);

    public int MaxNewTokens(int speechFrames) => Math.Max(1, (int)Math.Floor(MaxTokensPerFrame * speechFrames) + MaxTokensOffset);

    public void Validate()
    {
        if (BeamSize < 1) throw new ArgumentException($"beam size must be >= 1, got {BeamSize}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1, got {BatchSize}");
        if (!double.IsFinite(LengthPenalty) || !(MaxTokensPerFrame >= 0) || MaxTokensOffset < 0)
            throw new ArgumentException($"invalid length settings: {this}");
    }
}

public enum EndReason
{
    /// <summary>The model wrote &lt;text_end&gt;.</summary>
    TextEnd,

    /// <summary>max_new_tokens were generated without &lt;text_end&gt;.</summary>
    MaxNewTokens,

    /// <summary>The row reached the model's block size.</summary>
    BlockSize,
}

/// <param name="Tokens">Generated text unit ids, without &lt;text_end&gt;.</param>
/// <param name="Score">Sum of the log-probabilities (over text units and &lt;text_end&gt;) of every generated token.</param>
public sealed record Hypothesis(string Id, string Text, int[] Tokens, double Score, EndReason End, int MaxNewTokens)
{
    /// <summary>The hypothesis was cut off (max length or block size) instead of ending with &lt;text_end&gt;.</summary>
    public bool Truncated => End != EndReason.TextEnd;
}

public static class AsrDecoder
{
    /// <summary>Decodes every utterance (their Text is ignored); results come back in the input order.</summary>
    public static IReadOnlyList<Hypothesis> Decode(AsrModel model, IReadOnlyList<AsrUtterance> utterances, DecodeOptions options)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            return Decode(new AsrIncrementalModel(model), utterances, options);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    public static IReadOnlyList<Hypothesis> Decode(IIncrementalModel model, IReadOnlyList<AsrUtterance> utterances, DecodeOptions options)
    {
        options.Validate();
        using var noGrad = torch.no_grad();
        var results = new Hypothesis[utterances.Count];
        // Longest first, so each batch holds similar lengths and the left padding stays short.
        var order = Enumerable.Range(0, utterances.Count).OrderByDescending(i => utterances[i].Speech.Frames).ThenBy(i => i).ToArray();
        foreach (var chunk in order.Chunk(options.BatchSize))
        {
            var batch = chunk.Select(i => utterances[i]).ToList();
            var hyps = options.Search == SearchKind.Greedy ? GreedyBatch(model, batch, options) : BeamSearch.DecodeBatch(model, batch, options);
            for (var j = 0; j < chunk.Length; j++) results[chunk[j]] = hyps[j];
        }
        return results;
    }

    /// <summary>(V) bool: true for ids the decoder may not emit (everything but text units and &lt;text_end&gt;).</summary>
    internal static Tensor Disallowed(AsrVocabulary vocab, Device device)
    {
        var mask = new bool[vocab.Size];
        for (var id = 0; id < vocab.Size; id++) mask[id] = !(vocab.IsText(id) || id == AsrVocabulary.TextEnd);
        return torch.tensor(mask).to(device);
    }

    /// <summary>Log-probabilities (R, V) renormalised over the allowed ids.</summary>
    internal static Tensor LogProbs(Tensor logits, Tensor disallowed) =>
        logits.to(ScalarType.Float32).masked_fill(disallowed, double.NegativeInfinity).log_softmax(-1);

    private static Hypothesis[] GreedyBatch(IIncrementalModel model, IReadOnlyList<AsrUtterance> batch, DecodeOptions options)
    {
        var vocab = model.Vocabulary;
        var R = batch.Count;
        var tokens = Enumerable.Range(0, R).Select(_ => new List<int>()).ToArray();
        var scores = new double[R];
        var ends = new EndReason?[R];
        var maxNew = batch.Select(u => options.MaxNewTokens(u.Speech.Frames)).ToArray();
        using var session = model.Open(batch.Select(u => u.Speech).ToList());
        using var scope = torch.NewDisposeScope();
        var logits = session.Start();
        using var disallowed = Disallowed(vocab, logits.device).DetachFromDisposeScope();
        while (true)
        {
            using var step = torch.NewDisposeScope();
            var (best, index) = LogProbs(logits, disallowed).max(-1);
            var values = best.to(ScalarType.Float64).cpu().ToArray<double>();
            var ids = index.cpu().ToArray<long>();
            var feed = new long[R];
            for (var r = 0; r < R; r++)
            {
                feed[r] = AsrVocabulary.Pad; // finished rows keep stepping on padding; their outputs are ignored
                if (ends[r] is not null) continue;
                var id = (int)ids[r];
                scores[r] += values[r];
                if (id == AsrVocabulary.TextEnd)
                {
                    ends[r] = EndReason.TextEnd;
                    continue;
                }
                tokens[r].Add(id);
                feed[r] = id;
                if (tokens[r].Count >= maxNew[r]) ends[r] = EndReason.MaxNewTokens;
                else if (session.NextPositions[r] >= model.BlockSize) ends[r] = EndReason.BlockSize;
            }
            if (ends.All(e => e is not null)) break;
            var next = session.Step(feed).MoveToOuterDisposeScope();
            logits.Dispose();
            logits = next;
        }
        return Enumerable.Range(0, R).Select(r => new Hypothesis(batch[r].Id, vocab.DecodeText(tokens[r]), [.. tokens[r]], scores[r], ends[r]!.Value, maxNew[r])).ToArray();
    }
}
