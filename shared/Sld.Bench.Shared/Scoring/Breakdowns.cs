// WER broken down by speaker, subset and utterance length, each group scored from its summed counts, plus the
// spread of the group WERs (mean, median, sample std, min, max as in sclite's per-speaker summary) and the
// per-utterance list sorted by errors.
using System.Globalization;
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Shared.Scoring;

/// <summary>The summed score of one group of utterances.</summary>
public sealed record GroupScore(string Group, int Sentences, int SentencesWithErrors, ErrorCounts Words, ErrorCounts Characters)
{
    public double? Wer => Words.ErrorRate;

    public double? Cer => Characters.ErrorRate;

    public double SentenceErrorRate => Sentences == 0 ? 0 : 100.0 * SentencesWithErrors / Sentences;

    public static GroupScore Of(string group, IReadOnlyCollection<UtteranceScore> utterances) => new(
        group, utterances.Count, utterances.Count(u => u.Words.Errors > 0),
        ErrorCounts.Sum(utterances.Select(u => u.Words)), ErrorCounts.Sum(utterances.Select(u => u.Characters)));
}

/// <summary>
/// Groups and the spread of their WERs. Groups without reference words have no WER; they are listed but left
/// out of <see cref="WerSpread"/> and counted in <see cref="GroupsWithoutReference"/>.
/// </summary>
public sealed record GroupBreakdown(string By, IReadOnlyList<GroupScore> Groups, Spread? WerSpread, int GroupsWithoutReference)
{
    public static GroupBreakdown Of(string by, IReadOnlyList<GroupScore> groups) => new(
        by, groups, Spread.Of(groups.Where(g => g.Wer.HasValue).Select(g => g.Wer!.Value)), groups.Count(g => !g.Wer.HasValue));
}

public enum LengthMeasure
{
    /// <summary>Number of reference words.</summary>
    ReferenceWords,

    /// <summary>Audio duration in seconds (utterances without a duration go to the group "unknown").</summary>
    DurationSeconds,
}

public static class Breakdowns
{
    public static IReadOnlyList<double> DefaultWordEdges { get; } = [5, 10, 20, 40];

    public static IReadOnlyList<double> DefaultSecondEdges { get; } = [2, 5, 10, 20];

    /// <summary>Per-speaker scores, speakers in code-point order.</summary>
    public static GroupBreakdown BySpeaker(IEnumerable<UtteranceScore> utterances) => GroupBreakdown.Of("speaker",
        [.. utterances.GroupBy(u => u.Speaker, StringComparer.Ordinal)
            .OrderBy(g => g.Key, ErrorAnalysis.CodePointOrder)
            .Select(g => GroupScore.Of(g.Key, g.ToArray()))]);

    /// <summary>Per-subset scores in order of first appearance; utterances without a subset form "(none)".</summary>
    public static GroupBreakdown BySubset(IEnumerable<UtteranceScore> utterances) => GroupBreakdown.Of("subset",
        [.. utterances.GroupBy(u => u.Subset ?? "(none)", StringComparer.Ordinal).Select(g => GroupScore.Of(g.Key, g.ToArray()))]);

    /// <summary>
    /// Scores per length bucket. A value v falls in the first bucket with v &lt;= edge; values above the last edge
    /// form the last bucket. Labels: "0-5", "6-10", "&gt;40" for words; "0-2s", "2-5s", "&gt;20s" for seconds, where
    /// "2-5s" means 2 &lt; v &lt;= 5. Empty buckets are kept so tables line up across runs.
    /// </summary>
    public static GroupBreakdown ByLength(IEnumerable<UtteranceScore> utterances, LengthMeasure measure, IReadOnlyList<double>? edges = null)
    {
        edges ??= measure == LengthMeasure.ReferenceWords ? DefaultWordEdges : DefaultSecondEdges;
        for (var i = 1; i < edges.Count; i++)
            if (edges[i] <= edges[i - 1]) throw new ArgumentException("bucket edges must increase", nameof(edges));
        var buckets = Enumerable.Range(0, edges.Count + 1).Select(_ => new List<UtteranceScore>()).ToArray();
        var unknown = new List<UtteranceScore>();
        foreach (var u in utterances)
        {
            double? value = measure == LengthMeasure.ReferenceWords ? u.Words.ReferenceLength : u.DurationSeconds;
            if (value is not { } v) { unknown.Add(u); continue; }
            var b = 0;
            while (b < edges.Count && v > edges[b]) b++;
            buckets[b].Add(u);
        }
        var groups = buckets.Select((list, b) => GroupScore.Of(BucketLabel(measure, edges, b), list)).ToList();
        if (unknown.Count > 0) groups.Add(GroupScore.Of("unknown", unknown));
        return GroupBreakdown.Of(measure == LengthMeasure.ReferenceWords ? "reference words" : "duration (s)", groups);
    }

    /// <summary>
    /// Utterances with the most word errors first (then the highest utterance WER, then the id), optionally only
    /// those with at least one error.
    /// </summary>
    public static IReadOnlyList<UtteranceScore> SortedByErrors(IEnumerable<UtteranceScore> utterances, bool errorsOnly = false) =>
        [.. utterances.Where(u => !errorsOnly || u.Words.Errors > 0)
            .OrderByDescending(u => u.Words.Errors)
            .ThenByDescending(u => u.Words.ErrorRate ?? double.PositiveInfinity)
            .ThenBy(u => u.Id, ErrorAnalysis.CodePointOrder)];

    private static string BucketLabel(LengthMeasure measure, IReadOnlyList<double> edges, int bucket)
    {
        static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        if (measure == LengthMeasure.ReferenceWords)
        {
            if (bucket == edges.Count) return $">{F(Math.Floor(edges[^1]))}";
            var lo = bucket == 0 ? 0 : Math.Floor(edges[bucket - 1]) + 1;
            return $"{F(lo)}-{F(Math.Floor(edges[bucket]))}";
        }
        if (bucket == edges.Count) return $">{F(edges[^1])}s";
        return $"{F(bucket == 0 ? 0 : edges[bucket - 1])}-{F(edges[bucket])}s";
    }
}
