// Reads for the compare page: two evaluations of the same test set joined by utterance id in the database
// (the (evaluation, utterance) primary key), one page of the changed utterances with both alignments; the
// counts and tests are in ResultsReader.Statistics.cs.
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public enum Change
{
    Improved,
    Degraded,
    Unchanged,
}

public sealed record PairedUtterance(UtteranceResult Baseline, UtteranceResult System);

public sealed partial class ResultsReader
{
    /// <summary>A page of utterances that changed in the given direction, the largest change first.</summary>
    public async Task<IReadOnlyList<PairedUtterance>> GetChangedAsync(long baselineEvaluation, long systemEvaluation, Change change, int skip, int take, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return [];
        await using var ctx = store.CreateContext();
        var pairs = Pairs(ctx, baselineEvaluation, systemEvaluation);
        pairs = change switch
        {
            Change.Improved => pairs.Where(p => p.System.Errors < p.Baseline.Errors).OrderByDescending(p => p.Baseline.Errors - p.System.Errors),
            Change.Degraded => pairs.Where(p => p.System.Errors > p.Baseline.Errors).OrderByDescending(p => p.System.Errors - p.Baseline.Errors),
            _ => pairs.Where(p => p.System.Errors == p.Baseline.Errors).OrderByDescending(p => p.Baseline.Errors),
        };
        var page = await pairs.ThenBy(p => p.Baseline.UtteranceId).Skip(skip).Take(take).ToListAsync(ct);
        return [.. page.Select(p => new PairedUtterance(p.Baseline, p.System))];
    }

    private static IOrderedQueryable<UtterancePair> Pairs(ResultsDbContext ctx, long a, long b) =>
        ctx.UtteranceResults.Where(u => u.EvaluationId == a)
            .Join(ctx.UtteranceResults.Where(u => u.EvaluationId == b), x => x.UtteranceId, y => y.UtteranceId, (x, y) => new UtterancePair { Baseline = x, System = y })
            .OrderBy(p => 0);

    private sealed class UtterancePair
    {
        public required UtteranceResult Baseline { get; init; }
        public required UtteranceResult System { get; init; }
    }
}
