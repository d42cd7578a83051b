// NIST's matched-pairs sentence-segment word error test (MAPSSWE), as sctk's sc_stats -t mapsswe computes it
// (src/sclite/mtchprs.c): each sentence's two alignments are cut into segments bounded by at least two words
// both systems got right; the per-segment error differences are tested against zero with a normal statistic.
namespace Sld.Bench.Shared.Statistics;

/// <summary>
/// The result of MAPSSWE between system A and system B. <see cref="MeanDifference"/> is the mean over
/// segments of (errors of A - errors of B), so a positive value means A makes more errors. Like sc_stats, Z is
/// 0 when the differences have no spread (all equal), whatever their mean.
/// </summary>
public sealed record MatchedPairsResult(
    int Sentences,
    int Segments,
    int MinimumGoodWords,
    int ReferenceWords,
    int ErrorsA,
    int ErrorsB,
    double MeanDifference,
    double StdDevDifference,
    double Z,
    double PValue)
{
    public double SegmentsPerSentence => Sentences == 0 ? 0 : (double)Segments / Sentences;

    /// <summary>Errors of A per reference word in the segments, in percent (sc_stats' "% Error").</summary>
    public double PercentErrorA => ReferenceWords == 0 ? 0 : 100.0 * ErrorsA / ReferenceWords;

    public double PercentErrorB => ReferenceWords == 0 ? 0 : 100.0 * ErrorsB / ReferenceWords;

    /// <summary>Two-sided: the p-value from the normal distribution is below <paramref name="alpha"/>.</summary>
    public bool SignificantAt(double alpha = 0.05) => PValue < alpha;
}

public static class MatchedPairsTest
{
    public const string Name = "MAPSSWE";

    /// <summary>
    /// Runs the test on the word operation strings ("CCSDI") of the same sentences under systems A and B. Both
    /// alignments of a sentence must cover the same reference (the same count of C, S and D).
    /// </summary>
    public static MatchedPairsResult Run(IEnumerable<(string OpsA, string OpsB)> sentences, int minimumGoodWords = 2)
    {
        if (minimumGoodWords < 1) throw new ArgumentOutOfRangeException(nameof(minimumGoodWords), "at least one boundary word");
        var segments = new List<(int refWords, int errA, int errB)>();
        var count = 0;
        foreach (var (a, b) in sentences)
        {
            if (a.Count(op => op != 'I') != b.Count(op => op != 'I'))
                throw new ArgumentException($"the alignments '{a}' and '{b}' cover different numbers of reference words", nameof(sentences));
            Segment(a, b, minimumGoodWords, segments);
            count++;
        }

        int refWords = 0, errA = 0, errB = 0;
        var diffs = new double[segments.Count];
        for (var i = 0; i < segments.Count; i++)
        {
            refWords += segments[i].refWords;
            errA += segments[i].errA;
            errB += segments[i].errB;
            diffs[i] = segments[i].errA - segments[i].errB;
        }
        double mean = diffs.Length == 0 ? 0 : Descriptive.Mean(diffs), std = 0, z = 0;
        var squares = 0.0;
        foreach (var d in diffs) squares += (d - mean) * (d - mean);
        if (squares != 0)
        {
            std = Math.Sqrt(squares / (diffs.Length - 1));
            z = mean / (std / Math.Sqrt(diffs.Length));
        }
        return new MatchedPairsResult(count, segments.Count, minimumGoodWords, refWords, errA, errB, mean, std, z,
            Distributions.TwoSidedNormalP(z));
    }

    /// <summary>The state machine of sc_stats' test_comp_sents: b(egin), e(rror), g(ood words after an error).</summary>
    private static void Segment(string s1, string s2, int minGood, List<(int, int, int)> segments)
    {
        int ind1 = 0, ind2 = 0, eog1 = 0, eog2 = 0, numGood = 0;
        var state = 'b';
        while (ind1 < s1.Length)
        {
            while (ind1 < s1.Length && s1[ind1] == 'I') { ind1++; state = 'e'; }
            while (ind2 < s2.Length && s2[ind2] == 'I') { ind2++; state = 'e'; }
            var bothCorrect = ind1 < s1.Length && s1[ind1] == 'C' && ind2 < s2.Length && s2[ind2] == 'C';
            switch (state)
            {
                case 'b':
                    if (bothCorrect) (eog1, eog2) = (ind1, ind2);
                    else state = 'e';
                    break;
                case 'e':
                case 'g':
                    if (!bothCorrect) { state = 'e'; break; }
                    numGood = state == 'e' ? 1 : numGood + 1;
                    if (numGood == minGood)
                    {
                        Count(s1, s2, eog1 - (minGood - 1), eog2 - (minGood - 1), ind1, ind2, segments);
                        (eog1, eog2, state) = (ind1, ind2, 'b');
                    }
                    else state = 'g';
                    break;
            }
            if (ind1 < s1.Length) ind1++;
            if (ind2 < s2.Length) ind2++;
        }
        if (state != 'b' || s2.Length > ind2)
            Count(s1, s2, eog1 - (minGood - 1), eog2 - (minGood - 1), s1.Length - 1, s2.Length - 1, segments);
    }

    /// <summary>sc_stats' count_seg: errors of each system in its span, reference words averaged (integer division).</summary>
    private static void Count(string s1, string s2, int beg1, int beg2, int end1, int end2, List<(int, int, int)> segments)
    {
        var (err1, ref1) = Span(s1, Math.Max(0, beg1), end1);
        var (err2, ref2) = Span(s2, Math.Max(0, beg2), end2);
        if (err1 == 0 && err2 == 0) return;
        segments.Add(((ref1 + ref2) / 2, err1, err2));
    }

    private static (int errors, int refWords) Span(string ops, int from, int to)
    {
        int errors = 0, refWords = 0;
        for (var i = from; i <= to; i++)
        {
            if (ops[i] != 'C') errors++;
            if (ops[i] != 'I') refWords++;
        }
        return (errors, refWords);
    }
}
