// The sign test on per-speaker WER: how many speakers the system serves better and how many worse than the
// baseline, against a fair coin. Exact binomial, two-sided; speakers with equal WER are left out (the textbook
// test; sc_stats instead splits ties between the sides and uses a normal approximation above 20 speakers).
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Statistics;

/// <summary>Speakers with a lower (<see cref="Better"/>) or higher (<see cref="Worse"/>) system WER than the baseline.</summary>
public sealed record SignTestResult(int Speakers, int Better, int Worse, int Ties, double PValue)
{
    public bool SignificantAt(double alpha = 0.05) => PValue < alpha;
}

public static class SignTest
{
    public const string Name = "sign test";

    /// <summary>Exact two-sided p-value for <paramref name="better"/> against <paramref name="worse"/>: min(1, 2 P(X &lt;= min)).</summary>
    public static SignTestResult FromCounts(int better, int worse, int ties)
    {
        var n = better + worse;
        var p = n == 0 ? 1.0 : Math.Min(1.0, 2 * Distributions.BinomialHalfCdf(Math.Min(better, worse), n));
        return new SignTestResult(n + ties, better, worse, ties, p);
    }

    /// <summary>
    /// Compares per-speaker WER of the same utterances scored for a baseline and a system. Speakers without
    /// reference words have no WER and are left out; the comparison is exact (integer cross-multiplication).
    /// </summary>
    public static SignTestResult OnSpeakerWer(IEnumerable<UtteranceScore> baseline, IEnumerable<UtteranceScore> system)
    {
        var a = Breakdowns.BySpeaker(baseline).Groups.ToDictionary(g => g.Group, g => g.Words, StringComparer.Ordinal);
        var b = Breakdowns.BySpeaker(system).Groups.ToDictionary(g => g.Group, g => g.Words, StringComparer.Ordinal);
        if (a.Count != b.Count || a.Keys.Any(k => !b.ContainsKey(k)))
            throw new ArgumentException("the baseline and the system cover different speakers");
        int better = 0, worse = 0, ties = 0;
        foreach (var (speaker, ca) in a)
        {
            var cb = b[speaker];
            if (ca.ReferenceLength == 0 || cb.ReferenceLength == 0) continue;
            var c = ((long)cb.Errors * ca.ReferenceLength).CompareTo((long)ca.Errors * cb.ReferenceLength);
            if (c < 0) better++;
            else if (c > 0) worse++;
            else ties++;
        }
        return FromCounts(better, worse, ties);
    }
}
