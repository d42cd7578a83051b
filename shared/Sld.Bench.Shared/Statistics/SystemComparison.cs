// Everything a paper states when it says "B is better than A": both WERs, the absolute and relative WER
// reduction, how many utterances got better or worse, and the three paired tests on the same test set
// (MAPSSWE, paired bootstrap interval, sign test on per-speaker WER).
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Statistics;

/// <summary>Utterances whose word error count went down, up, or stayed the same against the baseline.</summary>
public sealed record UtteranceChanges(int Improved, int Degraded, int Unchanged);

public sealed record SystemComparisonResult(
    double BaselineWer,
    double SystemWer,
    double AbsoluteReduction,
    double? RelativeReduction,
    UtteranceChanges Changes,
    MatchedPairsResult MatchedPairs,
    BootstrapResult Bootstrap,
    SignTestResult SignTest);

public static class SystemComparison
{
    /// <summary>(baseline - system) / baseline in percent; positive when the system is better, null for a zero baseline.</summary>
    public static double? RelativeReduction(double baseline, double system) =>
        baseline == 0 ? null : 100.0 * (baseline - system) / baseline;

    public static UtteranceChanges Changes(IEnumerable<(ErrorCounts Baseline, ErrorCounts System)> pairs)
    {
        int improved = 0, degraded = 0, unchanged = 0;
        foreach (var (a, b) in pairs)
        {
            if (b.Errors < a.Errors) improved++;
            else if (b.Errors > a.Errors) degraded++;
            else unchanged++;
        }
        return new UtteranceChanges(improved, degraded, unchanged);
    }

    /// <summary>
    /// Pairs the utterances of two scores of the same test set by id; the sets of ids and the references must be
    /// the same, or the comparison would not be paired.
    /// </summary>
    public static IReadOnlyList<(UtteranceScore Baseline, UtteranceScore System)> Pair(CorpusScore baseline, CorpusScore system)
    {
        var byId = system.Utterances.ToDictionary(u => u.Id, StringComparer.Ordinal);
        var missing = baseline.Utterances.Where(u => !byId.ContainsKey(u.Id)).Select(u => u.Id).ToList();
        var baselineIds = baseline.Utterances.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        var extra = system.Utterances.Where(u => !baselineIds.Contains(u.Id)).Select(u => u.Id).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new ArgumentException($"not the same test set: {missing.Count} utterances only in the baseline " +
                $"({string.Join(", ", missing.Take(5))}), {extra.Count} only in the system ({string.Join(", ", extra.Take(5))})");
        var pairs = baseline.Utterances.Select(u => (u, byId[u.Id])).ToList();
        var differing = pairs.FirstOrDefault(p => !p.u.ReferenceWords.AsSpan().SequenceEqual(p.Item2.ReferenceWords));
        if (differing.u != null) throw new ArgumentException($"utterance '{differing.u.Id}' has different references in the two scores");
        return pairs;
    }

    public static SystemComparisonResult Compare(
        CorpusScore baseline, CorpusScore system, int resamples = PairedBootstrap.DefaultResamples, ulong seed = 0)
    {
        var pairs = Pair(baseline, system);
        var a = baseline.Wer ?? throw new ArgumentException("the baseline has no reference words");
        var b = system.Wer!.Value;
        return new SystemComparisonResult(a, b, a - b, RelativeReduction(a, b),
            Changes(pairs.Select(p => (p.Baseline.Words, p.System.Words))),
            MatchedPairsTest.Run(pairs.Select(p => (p.Baseline.WordOps, p.System.WordOps))),
            PairedBootstrap.Run([.. pairs.Select(p => p.Baseline.Words)], [.. pairs.Select(p => p.System.Words)], resamples, seed),
            SignTest.OnSpeakerWer(pairs.Select(p => p.Baseline), pairs.Select(p => p.System)));
    }
}
