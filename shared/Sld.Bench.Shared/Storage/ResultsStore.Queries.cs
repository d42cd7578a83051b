// Reading results for `sweep status`, `runs list/show`, the exporter and the dashboard: sweeps with status
// counts, runs with their axis values, metrics, evaluations, utterances (paged, by errors) and checkpoints.
// Everything returned is detached; CreateContext() is there for queries this file does not cover.
using Microsoft.EntityFrameworkCore;

namespace Sld.Bench.Shared.Storage;

public sealed partial class ResultsStore
{
    public Task<List<SweepSummary>> ListSweepsAsync(CancellationToken ct = default) =>
        ReadAsync(async ctx =>
        {
            var sweeps = await ctx.Sweeps.OrderBy(s => s.Name).ToListAsync(ct);
            var counts = await ctx.Runs.Where(r => r.InPlan)
                .GroupBy(r => new { r.SweepId, r.Status })
                .Select(g => new { g.Key.SweepId, g.Key.Status, Count = g.Count() })
                .ToListAsync(ct);
            return sweeps.Select(s => new SweepSummary(s.Id, s.Name, s.File, s.CreatedAt, s.UpdatedAt, s.CellCount,
                counts.Where(c => c.SweepId == s.Id).ToDictionary(c => c.Status, c => c.Count))).ToList();
        }, ct);

    public Task<Sweep?> GetSweepAsync(string name, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Sweeps.FirstOrDefaultAsync(s => s.Name == name, ct), ct);

    /// <summary>Runs of the current plan per status (a status with no run is absent).</summary>
    public Task<Dictionary<RunStatus, int>> GetStatusCountsAsync(long sweepId, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Runs.Where(r => r.SweepId == sweepId && r.InPlan)
            .GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct), ct);

    /// <summary>Runs of a sweep in plan order with their axis values; retired runs only when asked.</summary>
    public Task<List<Run>> ListRunsAsync(long sweepId, RunStatus? status = null, bool includeRetired = false, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Runs.Include(r => r.AxisValues)
            .Where(r => r.SweepId == sweepId && (includeRetired || r.InPlan) && (status == null || r.Status == status))
            .OrderBy(r => !r.InPlan).ThenBy(r => r.Index)
            .AsSplitQuery()
            .ToListAsync(ct), ct);

    public Task<Run?> GetRunAsync(long runId, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Runs.Include(r => r.AxisValues).AsSplitQuery().FirstOrDefaultAsync(r => r.Id == runId, ct), ct);

    public Task<Run?> FindRunAsync(long sweepId, string configHash, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Runs.Include(r => r.AxisValues).AsSplitQuery().FirstOrDefaultAsync(r => r.SweepId == sweepId && r.ConfigHash == configHash, ct), ct);

    /// <summary>Metrics of a run ordered by name and step; one name only when given.</summary>
    public Task<List<StepMetric>> GetMetricsAsync(long runId, string? name = null, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.StepMetrics.Where(m => m.RunId == runId && (name == null || m.Name == name))
            .OrderBy(m => m.Name).ThenBy(m => m.Step).ToListAsync(ct), ct);

    public Task<List<Evaluation>> GetEvaluationsAsync(long runId, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Evaluations.Where(e => e.RunId == runId).OrderBy(e => e.TestSet).ToListAsync(ct), ct);

    /// <summary>Evaluations of every done run of a sweep on one test set (the leaderboard and exports).</summary>
    public Task<List<Evaluation>> GetSweepEvaluationsAsync(long sweepId, string testSet, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Evaluations
            .Where(e => e.TestSet == testSet && ctx.Runs.Any(r => r.Id == e.RunId && r.SweepId == sweepId && r.InPlan && r.Status == RunStatus.Done))
            .OrderBy(e => e.Wer).ToListAsync(ct), ct);

    /// <summary>A page of one evaluation's utterances, most errors first by default.</summary>
    public Task<List<UtteranceResult>> GetUtterancesAsync(long evaluationId, UtteranceQuery? query = null, CancellationToken ct = default)
    {
        query ??= new UtteranceQuery();
        return ReadAsync(ctx =>
        {
            var q = ctx.UtteranceResults.Where(u => u.EvaluationId == evaluationId);
            if (query.OnlyErrors) q = q.Where(u => u.Errors > 0);
            if (query.Speaker != null) q = q.Where(u => u.Speaker == query.Speaker);
            q = query.ByErrors ? q.OrderByDescending(u => u.Errors).ThenBy(u => u.UtteranceId) : q.OrderBy(u => u.UtteranceId);
            return q.Skip(query.Skip).Take(query.Take).ToListAsync(ct);
        }, ct);
    }

    public Task<int> CountUtterancesAsync(long evaluationId, bool onlyErrors = false, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.UtteranceResults.CountAsync(u => u.EvaluationId == evaluationId && (!onlyErrors || u.Errors > 0), ct), ct);

    public Task<List<Checkpoint>> GetCheckpointsAsync(long runId, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Checkpoints.Where(c => c.RunId == runId).OrderBy(c => c.Step).ToListAsync(ct), ct);

    /// <summary>The checkpoint to resume from: the one at the highest step.</summary>
    public Task<Checkpoint?> GetLatestCheckpointAsync(long runId, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Checkpoints.Where(c => c.RunId == runId).OrderByDescending(c => c.Step).FirstOrDefaultAsync(ct), ct);

    public Task<Checkpoint?> GetBestCheckpointAsync(long runId, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Checkpoints.FirstOrDefaultAsync(c => c.RunId == runId && c.IsBest, ct), ct);
}
