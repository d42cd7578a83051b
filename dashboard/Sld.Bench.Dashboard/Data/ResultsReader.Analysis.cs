// The error analysis of one evaluation for the run page, computed by the shared Scoring code from the stored
// per-utterance rows (reference, hypothesis, counts, word alignment): sclite's per-speaker summary table and
// Kaldi's lines, the confusion pairs and the most deleted, inserted and substituted words (ErrorTally), and
// the decoder-only failure diagnostics, and the sums per speaker and per reference length for the charts.
// One read of the evaluation's rows, kept per evaluation while the store is unchanged.
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Dashboard.Data;

/// <summary>
/// <see cref="Skipped"/> counts utterances left out because the store has no alignment for them, or one that
/// does not fit their words; the lists and diagnostics cover the others, the summary table all of them.
/// </summary>
public sealed record EvaluationAnalysis(
    string ScliteTable,
    string KaldiLines,
    IReadOnlyList<ConfusionPair> Confusions,
    IReadOnlyList<WordCount> Deleted,
    IReadOnlyList<WordCount> Inserted,
    IReadOnlyList<WordCount> Substituted,
    DiagnosticsSummary Diagnostics,
    int Skipped,
    IReadOnlyList<GroupCounts> Speakers,
    IReadOnlyList<GroupCounts> Lengths);

public sealed partial class ResultsReader
{
    public const int TopWords = 10;

    /// <summary>Reference-length buckets in words: upper bounds of 0-5, 6-10, 11-20, 21-40, and the rest.</summary>
    private static readonly (int Max, string Label)[] LengthBuckets = [(5, "0-5"), (10, "6-10"), (20, "11-20"), (40, "21-40"), (int.MaxValue, ">40")];

    private readonly Lock _analysisLock = new();
    private readonly Dictionary<long, (StoreVersion Version, EvaluationAnalysis Analysis)> _analyses = [];

    // One computation per evaluation and store version at a time: 200 requests for pages of one run's analysis
    // wait for one load of its utterances instead of holding 200 copies of them.
    private readonly Dictionary<(long, StoreVersion), Task<EvaluationAnalysis?>> _analysesInFlight = [];

    public async Task<EvaluationAnalysis?> GetAnalysisAsync(long evaluationId, CancellationToken ct = default)
    {
        var version = await GetVersionAsync(ct);
        Task<EvaluationAnalysis?> computing;
        lock (_analysisLock)
        {
            if (_analyses.TryGetValue(evaluationId, out var kept) && kept.Version == version) return kept.Analysis;
            if (!_analysesInFlight.TryGetValue((evaluationId, version), out computing!))
            {
                computing = ComputeAnalysisAsync(evaluationId, version, CancellationToken.None);
                _analysesInFlight[(evaluationId, version)] = computing;
                _ = computing.ContinueWith(_ =>
                {
                    lock (_analysisLock) _analysesInFlight.Remove((evaluationId, version));
                }, TaskScheduler.Default);
            }
        }
        return await computing.WaitAsync(ct);
    }

    private async Task<EvaluationAnalysis?> ComputeAnalysisAsync(long evaluationId, StoreVersion version, CancellationToken ct)
    {
        await Task.Yield();
        if (await access.TryGetAsync(ct) is not { } store) return null;
        await using var ctx = store.CreateContext();
        var normalization = await ctx.Evaluations.Where(e => e.Id == evaluationId).Select(e => e.Normalization).FirstOrDefaultAsync(ct);
        if (normalization is null) return null;
        var rows = await ctx.UtteranceResults.Where(u => u.EvaluationId == evaluationId).OrderBy(u => u.UtteranceId)
            .Select(u => new { u.UtteranceId, u.Speaker, u.Duration, u.Reference, u.Hypothesis, u.Correct, u.Substitutions, u.Deletions, u.Insertions, u.Alignment })
            .ToListAsync(ct);
        var options = new ScoringOptions { Normalization = normalization };
        var all = new List<UtteranceScore>(rows.Count);
        var aligned = new List<UtteranceScore>(rows.Count);
        foreach (var r in rows)
        {
            var counts = new ErrorCounts(r.Correct, r.Substitutions, r.Deletions, r.Insertions);
            var reference = TextUnits.Words(r.Reference);
            var hypothesis = TextUnits.Words(r.Hypothesis);
            var fits = r.Alignment is { } ops && ops.Count(o => o != 'I') == reference.Length && ops.Count(o => o != 'D') == hypothesis.Length;
            var score = new UtteranceScore
            {
                Id = r.UtteranceId,
                Speaker = r.Speaker ?? "(none)",
                DurationSeconds = r.Duration,
                Reference = r.Reference,
                Hypothesis = r.Hypothesis,
                WordOps = fits ? r.Alignment! : "",
                Words = counts,
                Characters = default,
                Diagnostics = DecoderDiagnostics.Analyze(reference, hypothesis, fits ? r.Alignment! : "", options.Diagnostics),
            };
            all.Add(score);
            if (fits) aligned.Add(score);
        }
        var corpus = CorpusScore.Of(options, all);
        var tally = ErrorTally.Of(aligned);
        var analysis = new EvaluationAnalysis(
            SummaryFormats.ScliteTable(corpus),
            SummaryFormats.KaldiLine("WER", corpus.Words) + "\n" + SummaryFormats.SentenceLine(corpus.SentencesWithErrors, corpus.Sentences),
            tally.ConfusionPairs(TopWords), tally.Deletions(TopWords), tally.Insertions(TopWords), tally.Substitutions(TopWords),
            DecoderDiagnostics.Summarize(aligned, options.Diagnostics), rows.Count - aligned.Count,
            [.. all.GroupBy(u => u.Speaker).Select(g => Sums(g.Key, g)).OrderBy(g => g.Group, StringComparer.Ordinal)],
            [.. LengthBuckets.Select((b, i) => Sums(b.Label, all.Where(u => Bucket(u.Words.ReferenceLength) == i)))]);
        lock (_analysisLock)
        {
            if (_analyses.Count >= 16) _analyses.Clear();
            _analyses[evaluationId] = (version, analysis);
        }
        return analysis;
    }

    private static int Bucket(int words) => Array.FindIndex(LengthBuckets, b => words <= b.Max);

    private static GroupCounts Sums(string group, IEnumerable<UtteranceScore> utterances)
    {
        var list = utterances.ToList();
        var sum = ErrorCounts.Sum(list.Select(u => u.Words));
        return new GroupCounts(group, list.Count, list.Count(u => u.Words.Errors > 0), sum.Correct, sum.Substitutions, sum.Deletions, sum.Insertions);
    }
}
