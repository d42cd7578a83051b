// Per-run reads for the run and compare pages: the run with its provenance, its training curves thinned to
// what a chart can show, evaluations, the tokenizer artifact, per-group sums computed by the database, and
// pages of utterances through the (evaluation, errors) index.
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

    /// <summary>Per-speaker sums, computed by the database over the (evaluation, speaker) index.</summary>
    public async Task<IReadOnlyList<GroupCounts>> GetSpeakerCountsAsync(long evaluationId, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return [];
        await using var ctx = store.CreateContext();
        var rows = await ctx.UtteranceResults.Where(u => u.EvaluationId == evaluationId)
            .GroupBy(u => u.Speaker)
            .Select(g => new { g.Key, N = g.Count(), E = g.Count(u => u.Errors > 0), C = g.Sum(u => (long)u.Correct), S = g.Sum(u => (long)u.Substitutions), D = g.Sum(u => (long)u.Deletions), I = g.Sum(u => (long)u.Insertions) })
            .ToListAsync(ct);
        return [.. rows.Select(r => new GroupCounts(r.Key ?? "(none)", r.N, r.E, r.C, r.S, r.D, r.I)).OrderBy(g => g.Group, StringComparer.Ordinal)];
    }

    /// <summary>Sums per reference-length bucket (0-5, 6-10, 11-20, 21-40, &gt;40 words).</summary>
    public async Task<IReadOnlyList<GroupCounts>> GetLengthCountsAsync(long evaluationId, CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return [];
        await using var ctx = store.CreateContext();
        var rows = await ctx.UtteranceResults.Where(u => u.EvaluationId == evaluationId)
            .GroupBy(u => u.RefWords <= 5 ? 0 : u.RefWords <= 10 ? 1 : u.RefWords <= 20 ? 2 : u.RefWords <= 40 ? 3 : 4)
            .Select(g => new { g.Key, N = g.Count(), E = g.Count(u => u.Errors > 0), C = g.Sum(u => (long)u.Correct), S = g.Sum(u => (long)u.Substitutions), D = g.Sum(u => (long)u.Deletions), I = g.Sum(u => (long)u.Insertions) })
            .ToListAsync(ct);
        string[] labels = ["0-5", "6-10", "11-20", "21-40", ">40"];
        return [.. Enumerable.Range(0, labels.Length).Select(b => rows.FirstOrDefault(r => r.Key == b) is { } r
            ? new GroupCounts(labels[b], r.N, r.E, r.C, r.S, r.D, r.I)
            : new GroupCounts(labels[b], 0, 0, 0, 0, 0, 0))];
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
