// Accumulates the stats every fitted tokenizer records (TokenizerStats) over a pass through its fit utterances:
// code histograms per codebook (usage, perplexity), the quantisation error, and the token counts before and
// after dedup and the unit model (compression ratios, tokens per second, bitrates).
namespace Sld.Bench.Tokenizers;

internal sealed class TokenizerStatistics(int codebooks, int codebookSize)
{
    private readonly long[][] _histograms = Enumerable.Range(0, codebooks).Select(_ => new long[codebookSize]).ToArray();
    private readonly List<long[]> _firstCodebook = [];
    private double _squaredError;
    private long _values;
    private long _frames;

    /// <summary>Raw first-codebook strings seen so far (what a unit model trains on).</summary>
    public IReadOnlyList<long[]> FirstCodebook => _firstCodebook;

    /// <summary>One utterance: its raw codes per codebook (one per token-grid frame) and its summed squared error over <paramref name="values"/> values.</summary>
    public void Add(long[][] codes, double squaredError, long values)
    {
        if (codes.Length != codebooks) throw new ArgumentException($"{codes.Length} codebooks, expected {codebooks}");
        for (var c = 0; c < codebooks; c++)
            foreach (var id in codes[c]) _histograms[c][id]++;
        _firstCodebook.Add(codes[0]);
        _squaredError += squaredError;
        _values += values;
        _frames += codes[0].Length;
    }

    /// <param name="emitted">Codebooks the tokenizer emits (a codec may train n but emit only the first).</param>
    public TokenizerStats Build(double frameRate, int vocabularySize, UnitPostProcessor? post, double fitSeconds, int? emitted = null)
    {
        var streams = emitted ?? codebooks;
        var seconds = _frames / frameRate;
        long tokens = _frames;
        double? dedupRatio = null, unitRatio = null;
        if (post is { Options.IsIdentity: false })
        {
            var deduplicated = post.Options.Dedup ? _firstCodebook.Sum(s => (long)Dedup.Collapse(s).units.Length) : _frames;
            tokens = _firstCodebook.Sum(s => (long)post.Apply(s, frameRate).Length);
            if (post.Options.Dedup) dedupRatio = (double)deduplicated / _frames;
            if (post.Model is not null) unitRatio = (double)tokens / deduplicated;
        }
        var tokensPerSecond = tokens / seconds;
        return new TokenizerStats(
            FrameRate: frameRate,
            Codebooks: streams,
            CodebookSize: codebookSize,
            VocabularySize: vocabularySize,
            BitrateKbps: frameRate * streams * Math.Log2(codebookSize) / 1000,
            TokensPerSecond: tokensPerSecond,
            PostProcessedBitrateKbps: tokensPerSecond * streams * Math.Log2(vocabularySize) / 1000,
            CodebookUsage: _histograms.Select(h => (double)h.Count(c => c > 0) / codebookSize).ToArray(),
            CodebookPerplexity: _histograms.Select(Perplexity).ToArray(),
            DedupRatio: dedupRatio,
            UnitRatio: unitRatio,
            QuantizationError: _values == 0 ? 0 : _squaredError / _values,
            FitSeconds: fitSeconds,
            EvaluatedUtterances: _firstCodebook.Count,
            EvaluatedFrames: _frames);
    }

    /// <summary>exp(entropy) of the code frequencies: K when every code is equally used, 1 when one code is.</summary>
    public static double Perplexity(long[] histogram)
    {
        double total = histogram.Sum();
        if (total == 0) return 0;
        var entropy = 0.0;
        foreach (var c in histogram)
            if (c > 0) entropy -= c / total * Math.Log(c / total);
        return Math.Exp(entropy);
    }
}
