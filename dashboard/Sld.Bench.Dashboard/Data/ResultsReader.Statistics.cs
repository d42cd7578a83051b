// The paired statistics of the compare page, from the shared Statistics library: both evaluations' utterances
// joined by id in memory (two indexed reads of a few thousand narrow rows), utterances improved / degraded /
// unchanged, the paired bootstrap interval of the WER difference and the MAPSSWE p-value. The bootstrap uses
// 1,000 resamples here to keep the page fast; `sldbench export` uses 10,000.
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Dashboard.Data;

/// <summary>
/// System against baseline on one test set. <see cref="Problem"/> says why a test could not run (utterances
/// scored against other references, no stored alignments); the other tests are still given.
/// </summary>
public sealed record PairedStatistics(int Pairs, int Unpaired, UtteranceChanges Changes, BootstrapResult? Bootstrap, MatchedPairsResult? MatchedPairs, string? Problem);

public sealed partial class ResultsReader
{
    public const int CompareResamples = 1_000;

    private readonly Lock _pairedLock = new();
    private readonly Dictionary<(long, long), (StoreVersion Version, PairedStatistics Statistics)> _paired = [];

    /// <summary>The statistics of a pair, computed once per store version (paging the changed utterances reuses them).</summary>
    public async Task<PairedStatistics?> GetPairedStatisticsAsync(long baselineEvaluation, long systemEvaluation, CancellationToken ct = default)
    {
        var version = await GetVersionAsync(ct);
        var key = (baselineEvaluation, systemEvaluation);
        Task<PairedStatistics?> computing;
        lock (_pairedLock)
        {
            if (_paired.TryGetValue(key, out var kept) && kept.Version == version) return kept.Statistics;
            // Concurrent requests for one pair share one computation (it loads both evaluations' utterances).
            if (!_pairedInFlight.TryGetValue((key, version), out computing!))
            {
                computing = ComputeAndKeepAsync(key, version);
                _pairedInFlight[(key, version)] = computing;
                _ = computing.ContinueWith(_ =>
                {
                    lock (_pairedLock) _pairedInFlight.Remove((key, version));
                }, TaskScheduler.Default);
            }
        }
        return await computing.WaitAsync(ct);
    }

    private readonly Dictionary<((long, long), StoreVersion), Task<PairedStatistics?>> _pairedInFlight = [];

    private async Task<PairedStatistics?> ComputeAndKeepAsync((long Baseline, long System) key, StoreVersion version)
    {
        await Task.Yield();
        var statistics = await ComputePairedStatisticsAsync(key.Baseline, key.System, CancellationToken.None);
        if (statistics is null) return null;
        lock (_pairedLock)
        {
            if (_paired.Count >= 32) _paired.Clear();
            _paired[key] = (version, statistics);
        }
        return statistics;
    }

    private async Task<PairedStatistics?> ComputePairedStatisticsAsync(long baselineEvaluation, long systemEvaluation, CancellationToken ct)
    {
        if (await access.TryGetAsync(ct) is not { } store) return null;
        await using var ctx = store.CreateContext();
        async Task<Dictionary<string, (ErrorCounts Counts, string? Ops)>> Load(long id) =>
            (await ctx.UtteranceResults.Where(u => u.EvaluationId == id)
                .Select(u => new { u.UtteranceId, u.Correct, u.Substitutions, u.Deletions, u.Insertions, u.Alignment }).ToListAsync(ct))
            .ToDictionary(u => u.UtteranceId, u => (new ErrorCounts(u.Correct, u.Substitutions, u.Deletions, u.Insertions), u.Alignment), StringComparer.Ordinal);
        var a = await Load(baselineEvaluation);
        var b = await Load(systemEvaluation);
        var pairs = a.Where(kv => b.ContainsKey(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (Baseline: kv.Value, System: b[kv.Key])).ToList();
        var unpaired = a.Count + b.Count - 2 * pairs.Count;
        var changes = SystemComparison.Changes(pairs.Select(p => (p.Baseline.Counts, p.System.Counts)));
        if (pairs.Count == 0) return new PairedStatistics(0, unpaired, changes, null, null, "the two runs share no utterance of this test set");

        var problems = new List<string>();
        BootstrapResult? bootstrap = null;
        MatchedPairsResult? matched = null;
        try
        {
            bootstrap = PairedBootstrap.Run([.. pairs.Select(p => p.Baseline.Counts)], [.. pairs.Select(p => p.System.Counts)], CompareResamples);
        }
        catch (ArgumentException e)
        {
            problems.Add($"no bootstrap: {e.Message}");
        }
        if (pairs.Any(p => p.Baseline.Ops is null || p.System.Ops is null)) problems.Add("no MAPSSWE: the store has no word alignment for some utterances");
        else
        {
            try
            {
                matched = MatchedPairsTest.Run(pairs.Select(p => (p.Baseline.Ops!, p.System.Ops!)));
            }
            catch (ArgumentException e)
            {
                problems.Add($"no MAPSSWE: {e.Message}");
            }
        }
        return new PairedStatistics(pairs.Count, unpaired, changes, bootstrap, matched, problems.Count == 0 ? null : string.Join("; ", problems));
    }
}
