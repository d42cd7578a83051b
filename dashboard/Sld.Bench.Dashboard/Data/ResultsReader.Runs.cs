// Per-run reads for the run and compare pages: the run with its provenance, its training curves thinned to
// what a chart can show, evaluations, the tokenizer artifact, and pages of utterances through the
// (evaluation, errors) index. Per-speaker and per-length sums come with the analysis (ResultsReader.Analysis.cs).
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public sealed record RunDetails(Run Run, IReadOnlyList<Evaluation> Evaluations, IReadOnlyList<Checkpoint> Checkpoints, Artifact? Tokenizer);

public sealed record Curve(string Name, IReadOnlyList<(long Step, double Value)> Points, int StoredPoints);

/// <summary>Summed word counts of a group of utterances (a speaker, a length bucket).</summary>
public sealed record GroupCounts(string Group, int Sentences, int SentencesWithErrors, long Correct, long Substitutions, long Deletions, long Insertions)
{
    public long RefWords => Correct + Substitutions + Deletions;

    public double? Wer => RefWords == 0 ? null : 100.0 * (Substitutions + Deletions + Insertions) / RefWords;
}

public sealed partial class ResultsReader
{
    /// <summary>At most this many points per curve reach the browser (every k-th point plus the last).</summary>
    public const int MaxCurvePoints = 400;

    public async Task<RunDetails?> GetRunAsync(long runId, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return null;
        await using var ctx = store.CreateContext();
        var run = await ctx.Runs.Include(r => r.AxisValues).Include(r => r.Sweep).AsSplitQuery().FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null) return null;
        var evaluations = await ctx.Evaluations.Where(e => e.RunId == runId).OrderBy(e => e.TestSet).ToListAsync(ct);
        var checkpoints = await ctx.Checkpoints.Where(c => c.RunId == runId).OrderBy(c => c.Step).ToListAsync(ct);
        var tokenizer = run.TokenizerHash is { } hash ? await ctx.Artifacts.FirstOrDefaultAsync(a => a.Hash == hash, ct) : null;
        return new RunDetails(run, evaluations, checkpoints, tokenizer);
    }

    public async Task<IReadOnlyList<Curve>> GetCurvesAsync(long runId, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return [];
        await using var ctx = store.CreateContext();
        var rows = await ctx.StepMetrics.Where(m => m.RunId == runId).OrderBy(m => m.Name).ThenBy(m => m.Step)
            .Select(m => new { m.Name, m.Step, m.Value }).ToListAsync(ct);
        return [.. rows.GroupBy(r => r.Name).Select(g =>
        {
            var points = g.Where(p => p.Value.HasValue).Select(p => (p.Step, p.Value!.Value)).ToList();
            return new Curve(g.Key, Thin(points, MaxCurvePoints), g.Count());
        })];
    }

    internal static IReadOnlyList<(long, double)> Thin(List<(long Step, double Value)> points, int max)
    {
        if (points.Count <= max) return points;
        var stride = (int)Math.Ceiling(points.Count / (double)max);
        var thinned = points.Where((_, i) => i % stride == 0).ToList();
        if (thinned[^1] != points[^1]) thinned.Add(points[^1]);
        return thinned;
    }

    public async Task<(IReadOnlyList<UtteranceResult> Page, int Total)> GetUtterancePageAsync(long evaluationId, UtteranceQuery query, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return ([], 0);
        var page = await store.GetUtterancesAsync(evaluationId, query, ct);
        await using var ctx = store.CreateContext();
        var q = ctx.UtteranceResults.Where(u => u.EvaluationId == evaluationId);
        if (query.OnlyErrors) q = q.Where(u => u.Errors > 0);
        if (query.Speaker is { } spk) q = q.Where(u => u.Speaker == spk);
        return (page, await q.CountAsync(ct));
    }
}
