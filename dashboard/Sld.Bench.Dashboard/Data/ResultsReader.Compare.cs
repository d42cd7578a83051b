// Reads for the compare page: two evaluations of the same test set joined by utterance id in the database
// (the (evaluation, utterance) primary key), counted as improved / degraded / unchanged, and one page of the
// changed utterances with both alignments.
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public enum Change
{
    Improved,
    Degraded,
    Unchanged,
}

public sealed record ChangeCounts(int Improved, int Degraded, int Unchanged, int Unpaired);

public sealed record PairedUtterance(UtteranceResult Baseline, UtteranceResult System);

public sealed partial class ResultsReader
{
    public async Task<ChangeCounts> GetChangeCountsAsync(long baselineEvaluation, long systemEvaluation, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return new(0, 0, 0, 0);
        await using var ctx = store.CreateContext();
        var pairs = Pairs(ctx, baselineEvaluation, systemEvaluation);
        var counts = await pairs.GroupBy(p => p.System.Errors < p.Baseline.Errors ? 0 : p.System.Errors > p.Baseline.Errors ? 1 : 2)
            .Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct);
        var total = await ctx.UtteranceResults.CountAsync(u => u.EvaluationId == baselineEvaluation, ct);
        int Of(int k) => counts.FirstOrDefault(c => c.Key == k)?.N ?? 0;
        return new ChangeCounts(Of(0), Of(1), Of(2), total - Of(0) - Of(1) - Of(2));
    }

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
