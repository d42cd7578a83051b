// Failure modes that are typical of decoder-only recognisers and invisible in a WER number: empty outputs,
// runaway insertions, looping on an n-gram, and outputs that stop early. Each has a precise definition here so
// the numbers mean the same thing in every run.
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Shared.Scoring;

/// <summary>Thresholds of the failure flags; the defaults are recorded with every score.</summary>
public sealed record DiagnosticThresholds
{
    /// <summary>An insertion run is flagged at this many consecutive inserted words.</summary>
    public int InsertionRun { get; init; } = 3;

    /// <summary>Longest n-gram searched for looping.</summary>
    public int LoopMaxN { get; init; } = 4;

    /// <summary>A loop is flagged at this many back-to-back repeats of one n-gram.</summary>
    public int LoopRepeats { get; init; } = 3;

    /// <summary>Truncation needs at least this many trailing deleted words...</summary>
    public int TruncationWords { get; init; } = 3;

    /// <summary>...and at least this fraction of the reference deleted at its end.</summary>
    public double TruncationFraction { get; init; } = 0.2;
}

/// <summary>
/// Failure diagnostics of one utterance.
/// <list type="bullet">
/// <item><see cref="LengthRatio"/>: hypothesis words / reference words (null for an empty reference).</item>
/// <item><see cref="EmptyHypothesis"/>: no hypothesis word although the reference has words.</item>
/// <item><see cref="LongestInsertionRun"/>: most consecutive I operations in the word alignment;
/// <see cref="InsertionRun"/> when at least <see cref="DiagnosticThresholds.InsertionRun"/>.</item>
/// <item><see cref="Looping"/>: some n-gram (n up to <see cref="DiagnosticThresholds.LoopMaxN"/>) occurs at
/// least <see cref="DiagnosticThresholds.LoopRepeats"/> times back to back in the hypothesis and more times back
/// to back than the reference repeats it or a rotation of it anywhere ("very very very" in both is not a loop,
/// nor is "b a b a b a" against "a b a b a b"). <see cref="LoopNgram"/> and
/// <see cref="LoopCount"/> name the repeat covering the most words (then the shorter n-gram, then the first).</item>
/// <item><see cref="Truncated"/>: a non-empty hypothesis whose alignment ends with
/// <see cref="TrailingDeletions"/> deletions, at least <see cref="DiagnosticThresholds.TruncationWords"/> and
/// at least <see cref="DiagnosticThresholds.TruncationFraction"/> of the reference words.</item>
/// </list>
/// </summary>
public sealed record UtteranceDiagnostics(
    double? LengthRatio,
    bool EmptyHypothesis,
    int LongestInsertionRun,
    bool InsertionRun,
    string? LoopNgram,
    int LoopCount,
    bool Looping,
    int TrailingDeletions,
    bool Truncated)
{
    public bool AnyFailure => EmptyHypothesis || InsertionRun || Looping || Truncated;
}

/// <summary>Corpus totals of the diagnostics.</summary>
public sealed record DiagnosticsSummary(
    int Utterances,
    int EmptyHypotheses,
    int InsertionRuns,
    int Loops,
    int Truncations,
    int AnyFailure,
    double? CorpusLengthRatio,
    double? MeanLengthRatio,
    double? MedianLengthRatio,
    DiagnosticThresholds Thresholds);

public static class DecoderDiagnostics
{
    public static UtteranceDiagnostics Analyze(
        IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis, string ops, DiagnosticThresholds thresholds)
    {
        double? ratio = reference.Count == 0 ? null : (double)hypothesis.Count / reference.Count;
        var empty = hypothesis.Count == 0 && reference.Count > 0;

        int longest = 0, run = 0;
        foreach (var op in ops)
        {
            run = op == 'I' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var trailing = 0;
        for (var k = ops.Length - 1; k >= 0 && ops[k] == 'D'; k--) trailing++;
        var truncated = hypothesis.Count > 0 && trailing >= thresholds.TruncationWords &&
                        trailing >= thresholds.TruncationFraction * reference.Count;

        var (ngram, count) = FindLoop(reference, hypothesis, thresholds);
        return new UtteranceDiagnostics(ratio, empty, longest, longest >= thresholds.InsertionRun,
            ngram, count, ngram != null, trailing, truncated);
    }

    public static DiagnosticsSummary Summarize(IReadOnlyList<UtteranceScore> utterances, DiagnosticThresholds thresholds)
    {
        var ratios = utterances.Where(u => u.Diagnostics.LengthRatio.HasValue)
            .Select(u => u.Diagnostics.LengthRatio!.Value).Order().ToArray();
        long refWords = 0, hypWords = 0;
        foreach (var u in utterances) { refWords += u.Words.ReferenceLength; hypWords += u.Words.HypothesisLength; }
        return new DiagnosticsSummary(
            utterances.Count,
            utterances.Count(u => u.Diagnostics.EmptyHypothesis),
            utterances.Count(u => u.Diagnostics.InsertionRun),
            utterances.Count(u => u.Diagnostics.Looping),
            utterances.Count(u => u.Diagnostics.Truncated),
            utterances.Count(u => u.Diagnostics.AnyFailure),
            refWords == 0 ? null : (double)hypWords / refWords,
            ratios.Length == 0 ? null : Descriptive.Mean(ratios),
            ratios.Length == 0 ? null : Descriptive.MedianOfSorted(ratios),
            thresholds);
    }

    private static (string? ngram, int count) FindLoop(
        IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis, DiagnosticThresholds thresholds)
    {
        (int start, int n, int count) best = (-1, 0, 0);
        for (var n = 1; n <= thresholds.LoopMaxN; n++)
        {
            for (var i = 0; i + n * thresholds.LoopRepeats <= hypothesis.Count; i++)
            {
                var count = RepeatsAt(hypothesis, i, n);
                if (count < thresholds.LoopRepeats || count * n <= best.count * best.n) continue;
                if (count <= MaxRepeatsOfRotations(reference, hypothesis, i, n)) continue;
                best = (i, n, count);
            }
        }
        return best.start < 0 ? (null, 0) : (string.Join(' ', hypothesis.Skip(best.start).Take(best.n)), best.count);
    }

    /// <summary>How many times the n-gram at <paramref name="start"/> repeats back to back from there.</summary>
    private static int RepeatsAt(IReadOnlyList<string> tokens, int start, int n)
    {
        var count = 1;
        while (start + (count + 1) * n <= tokens.Count && SameNgram(tokens, start, tokens, start + count * n, n)) count++;
        return count;
    }

    /// <summary>The most back-to-back repeats in the reference of the n-gram or any of its rotations.</summary>
    private static int MaxRepeatsOfRotations(IReadOnlyList<string> reference, IReadOnlyList<string> source, int start, int n)
    {
        var most = 0;
        for (var rotation = 0; rotation < n; rotation++)
        {
            // The repeated hypothesis stretch holds every rotation: the n-gram starting `rotation` words later.
            var ngram = source.Skip(start + rotation).Take(n).ToArray();
            if (ngram.Length < n) break;
            for (var i = 0; i + n <= reference.Count; i++)
            {
                if (!SameNgram(reference, i, ngram, 0, n)) continue;
                var count = 1;
                while (i + (count + 1) * n <= reference.Count && SameNgram(reference, i + count * n, ngram, 0, n)) count++;
                most = Math.Max(most, count);
            }
        }
        return most;
    }

    private static bool SameNgram(IReadOnlyList<string> a, int i, IReadOnlyList<string> b, int j, int n)
    {
        for (var k = 0; k < n; k++)
            if (!string.Equals(a[i + k], b[j + k], StringComparison.Ordinal)) return false;
        return true;
    }
}
