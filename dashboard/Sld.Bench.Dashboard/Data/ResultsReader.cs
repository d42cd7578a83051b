// Reads the results store for the pages. The catalogue (sweeps, runs, axis values, evaluation counts) is
// cached and reloaded only when the version stamp changes; everything per run (config, metrics, utterances)
// is queried on demand through indexes, one page of rows at a time.
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public sealed partial class ResultsReader(StoreAccess access) : IAsyncDisposable
{
    private readonly SemaphoreSlim _reload = new(1, 1);
    private readonly SemaphoreSlim _versionGate = new(1, 1);
    private Snapshot _snapshot = Snapshot.Empty;
    private SqliteConnection? _watch;
    private long _dataVersion = -1;
    private StoreVersion? _stamp;

    public string Location => access.Location;

    /// <summary>The store's location without a password, for the header.</summary>
    public string DisplayLocation { get; } = StoreLocation.Parse(access.Location, readOnly: true).ToString();

    /// <summary>
    /// The version stamp: status counts from the (sweep, status) index and the highest ids, no table scan. On
    /// SQLite a dedicated connection first asks PRAGMA data_version, which changes only when another connection
    /// commits, so while nothing is written (a finished sweep, a paused one) a poll costs no query at all.
    /// </summary>
    /// <summary>
    /// SQLite's data_version as of the last <see cref="GetVersionAsync"/>: it changes with every commit of
    /// another connection (a metric point too), where the stamp changes with runs, statuses and evaluations.
    /// -1 on PostgreSQL.
    /// </summary>
    public long DataVersion => Interlocked.Read(ref _dataVersion);

    public async Task<StoreVersion> GetVersionAsync(CancellationToken ct = default)
    {
        if (await access.TryGetAsync(ct) is not { } store) return StoreVersion.Empty;
        await _versionGate.WaitAsync(ct);
        try
        {
            long? dataVersion = null;
            if (store.Location.Provider == StoreProvider.Sqlite)
            {
                if (_watch is null)
                {
                    _watch = new SqliteConnection(store.Location.ConnectionString);
                    await _watch.OpenAsync(ct);
                }
                await using var pragma = _watch.CreateCommand();
                pragma.CommandText = "PRAGMA data_version";
                dataVersion = Convert.ToInt64(await pragma.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
                if (dataVersion == _dataVersion && _stamp is { } unchanged) return unchanged;
            }
            await using var ctx = store.CreateContext();
            var counts = await ctx.Runs.GroupBy(r => r.Status).Select(g => new { g.Key, N = g.Count() }).ToListAsync(ct);
            var maxRun = await ctx.Runs.MaxAsync(r => (long?)r.Id, ct) ?? 0;
            var maxEval = await ctx.Evaluations.MaxAsync(e => (long?)e.Id, ct) ?? 0;
            var sweeps = await ctx.Sweeps.MaxAsync(s => (DateTime?)s.UpdatedAt, ct);
            _stamp = new StoreVersion(maxRun, maxEval, string.Join(",", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}:{c.N}")), sweeps);
            _dataVersion = dataVersion ?? -1;
            return _stamp;
        }
        finally
        {
            _versionGate.Release();
        }
    }

    /// <summary>
    /// Loads the catalogue in the background (at start), so the first page does not wait for it, and runs the
    /// leaderboard and grid code over it once so their first request is not also their first compilation.
    /// </summary>
    public async Task WarmAsync(CancellationToken ct = default)
    {
        try
        {
            var snapshot = await GetSnapshotAsync(ct);
            Leaderboard.Build(snapshot, new LeaderboardQuery());
            if (snapshot.Sweeps.FirstOrDefault(s => s.Axes.Count >= 2) is { } sweep)
                SweepGrid.Build(snapshot, new GridQuery(sweep.Name, sweep.Axes[0], sweep.Axes[1], Metric.Wer, snapshot.TestSets.FirstOrDefault()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A page will load it again and show the error there.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_watch is { } watch) await watch.DisposeAsync();
        _versionGate.Dispose();
        _reload.Dispose();
    }

    /// <summary>The catalogue as of now: the cached one when the version is unchanged.</summary>
    public async Task<Snapshot> GetSnapshotAsync(CancellationToken ct = default)
    {
        var version = await GetVersionAsync(ct);
        if (_snapshot.Version == version) return _snapshot;
        await _reload.WaitAsync(ct);
        try
        {
            if (_snapshot.Version != version) _snapshot = await LoadSnapshotAsync(version, ct);
            return _snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task<Snapshot> LoadSnapshotAsync(StoreVersion version, CancellationToken ct)
    {
        if (await access.TryGetAsync(ct) is not { } store) return Snapshot.Empty;
        await using var ctx = store.CreateContext();
        var sweeps = await ctx.Sweeps.OrderBy(s => s.Name)
            .Select(s => new { s.Id, s.Name, s.CellCount, s.AxesJson, s.UpdatedAt }).ToListAsync(ct);
        var sweepNames = sweeps.ToDictionary(s => s.Id, s => s.Name);
        var runs = await ctx.Runs
            .Select(r => new { r.Id, r.SweepId, r.Index, r.InPlan, r.Status, r.Seed, r.SettingHash, r.StartedAt, r.EndedAt })
            .ToListAsync(ct);
        var axisRows = await ctx.RunAxisValues.Select(a => new { a.RunId, a.Axis, a.ValueText, a.ValueNumber }).ToListAsync(ct);
        var axesByRun = new Dictionary<long, Dictionary<string, AxisValue>>();
        var interned = new Dictionary<(string, double?), AxisValue>();
        foreach (var a in axisRows)
        {
            if (!axesByRun.TryGetValue(a.RunId, out var axes)) axesByRun[a.RunId] = axes = new Dictionary<string, AxisValue>(StringComparer.Ordinal);
            var key = (a.ValueText, a.ValueNumber);
            if (!interned.TryGetValue(key, out var value)) interned[key] = value = new AxisValue(a.ValueText, a.ValueNumber);
            axes[string.IsInterned(a.Axis) ?? string.Intern(a.Axis)] = value;
        }
        var noAxes = new Dictionary<string, AxisValue>();
        var runInfos = runs
            .Select(r => new RunInfo(r.Id, r.SweepId, sweepNames.GetValueOrDefault(r.SweepId, "?"), r.Index, r.InPlan, r.Status, r.Seed,
                r.SettingHash, axesByRun.GetValueOrDefault(r.Id) ?? noAxes, r.StartedAt, r.EndedAt))
            .OrderBy(r => r.Sweep, StringComparer.Ordinal).ThenBy(r => !r.InPlan).ThenBy(r => r.Index).ToList();
        var evaluations = await ctx.Evaluations
            .Select(e => new EvaluationInfo(e.Id, e.RunId, e.TestSet, e.Correct, e.Substitutions, e.Deletions, e.Insertions,
                e.RefWords, e.Cer, e.Sentences, e.SentenceErrors, e.Step))
            .ToListAsync(ct);
        var sweepInfos = sweeps.Select(s => new SweepInfo(s.Id, s.Name, s.CellCount,
            SweepAxes(s.AxesJson, runInfos.Where(r => r.SweepId == s.Id)), s.UpdatedAt)).ToList();
        return new Snapshot(version, sweepInfos, runInfos, evaluations);
    }

    /// <summary>The declared axes of a sweep (AxesJson: [{"name": ...}, ...]) plus any its runs carry, "seed" last.</summary>
    internal static IReadOnlyList<string> SweepAxes(string axesJson, IEnumerable<RunInfo> runs)
    {
        var names = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(axesJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
                foreach (var axis in doc.RootElement.EnumerateArray())
                    if (axis.ValueKind == JsonValueKind.Object && axis.TryGetProperty("name", out var n) && n.GetString() is { } name && !names.Contains(name))
                        names.Add(name);
        }
        catch (JsonException)
        {
            // A malformed axes column still leaves the axes the runs carry.
        }
        foreach (var run in runs)
            foreach (var axis in run.Axes.Keys)
                if (!names.Contains(axis)) names.Add(axis);
        if (names.Remove("seed")) names.Add("seed");
        return names;
    }
}
