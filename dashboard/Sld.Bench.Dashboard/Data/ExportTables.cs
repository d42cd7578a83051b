// The Export page's tables: the same SweepTableQuery and writers as `sldbench export`, so a download equals
// the CLI's output for the same choices. The request lives in the URL (sweep, rows, cols, metric, test set,
// fix=axis=value, baseline, test; the bootstrap runs 1,000 resamples, as the printed command says); a few computed tables are kept per store version so the preview and the
// download of one table compute it once (a bootstrap over a large grid takes seconds).
using Sld.Bench.Shared.Export;

namespace Sld.Bench.Dashboard.Data;

/// <summary>What the Export page and the download endpoint take from the query string.</summary>
public sealed record ExportChoice(string Sweep, string RowAxis, string ColumnAxis, Metric Metric, string TestSet,
    IReadOnlyDictionary<string, string> Fixed, string? Baseline, SignificanceTestKind Test)
{
    public SweepTableRequest ToRequest() => new()
    {
        Sweep = Sweep,
        RowAxis = RowAxis,
        ColumnAxis = ColumnAxis,
        Metric = $"{Metric.ToString().ToLowerInvariant()}@{TestSet}",
        Baseline = string.IsNullOrEmpty(Baseline) ? null : Baseline,
        Fixed = Fixed,
        Significance = new SignificanceOptions(Test, Resamples: Resamples),
    };

    /// <summary>Bootstrap resamples per cell on the page: fewer than the CLI's 10,000 so a grid stays interactive.</summary>
    public const int Resamples = 1_000;

    /// <summary>The query string that names this table (for links and the download).</summary>
    public string Query(string path, TableFormat? format = null) => Components.Shared.UrlState.Build(path,
        [("sweep", Sweep), ("rows", RowAxis), ("cols", ColumnAxis), ("metric", Metric.ToString().ToLowerInvariant()), ("testset", TestSet),
         .. Fixed.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => ("fix", (string?)$"{f.Key}={f.Value}")),
         ("baseline", Baseline), ("test", Test == SignificanceTestKind.MatchedPairs ? "mapsswe" : "bootstrap"),
         ("format", format?.ToString().ToLowerInvariant())]);

    /// <summary>A file name made of the sweep and axes, restricted to safe characters.</summary>
    public string FileName(TableFormat format)
    {
        var stem = new string($"{Sweep}-{RowAxis}-by-{ColumnAxis}-{Metric.ToString().ToLowerInvariant()}-{TestSet}"
            .Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_').ToArray());
        return stem + format switch { TableFormat.Latex => ".tex", TableFormat.Markdown => ".md", TableFormat.Csv => ".csv", _ => ".json" };
    }

    /// <summary>
    /// Reads a choice from query values, filling what is missing from the snapshot: the first sweep, its first
    /// two axes, the first value of every other axis, the first test set. Null when there is nothing to export.
    /// </summary>
    public static ExportChoice? From(Snapshot snapshot, string? sweep, string? rows, string? cols, string? metric, string? testSet,
        IEnumerable<string>? fix, string? baseline, string? test)
    {
        var info = snapshot.Sweep(sweep) ?? snapshot.Sweeps.FirstOrDefault(s => s.Axes.Count(a => a != "seed") >= 2) ?? snapshot.Sweeps.FirstOrDefault();
        if (info is null || snapshot.TestSets.Count == 0) return null;
        var axes = info.Axes.Where(a => a != "seed").ToList();
        if (axes.Count < 2) return null;
        var rowAxis = rows is not null && axes.Contains(rows) ? rows : axes[0];
        var colAxis = cols is not null && axes.Contains(cols) && cols != rowAxis ? cols : axes.First(a => a != rowAxis);
        var given = (fix ?? []).Select(f => f.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        var values = AxisValues(snapshot, info);
        var fixedValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var axis in axes.Where(a => a != rowAxis && a != colAxis))
        {
            var choices = values.GetValueOrDefault(axis) ?? [];
            if (given.TryGetValue(axis, out var v) && choices.Contains(v)) fixedValues[axis] = v;
            else if (choices.Count > 0) fixedValues[axis] = choices[0];
        }
        var set = testSet is not null && snapshot.TestSets.Contains(testSet) ? testSet : snapshot.TestSets[0];
        return new ExportChoice(info.Name, rowAxis, colAxis, Metrics.Parse(metric), set, fixedValues,
            string.IsNullOrWhiteSpace(baseline) ? null : baseline,
            test == "mapsswe" ? SignificanceTestKind.MatchedPairs : SignificanceTestKind.PairedBootstrap);
    }

    /// <summary>The values every axis of a sweep takes among its runs, in the dashboard's order (numbers numerically).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> AxisValues(Snapshot snapshot, SweepInfo sweep)
    {
        var runs = snapshot.Runs.Where(r => r.InPlan && r.SweepId == sweep.Id).ToList();
        return sweep.Axes.ToDictionary(a => a, a => (IReadOnlyList<string>)[.. runs.Select(r => r.Axis(a)).OfType<AxisValue>().Distinct().Order().Select(v => v.Text)]);
    }
}

public sealed class ExportTables(StoreAccess access, ResultsReader reader)
{
    private const int Kept = 8;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (StoreVersion Version, Task<ComputedTable> Table)> _cache = [];
    private readonly Func<ExportChoice, Task<ComputedTable>>? _compute;

    /// <summary>For tests: <paramref name="compute"/> replaces the query and the tests.</summary>
    internal ExportTables(StoreAccess access, ResultsReader reader, Func<ExportChoice, Task<ComputedTable>> compute) : this(access, reader) =>
        _compute = compute;

    /// <summary>The computed table of a choice; throws TableRequestException when the store cannot answer it.</summary>
    public async Task<ComputedTable> GetAsync(ExportChoice choice, CancellationToken ct = default)
    {
        var version = await reader.GetVersionAsync(ct);
        var key = choice.Query("");
        Task<ComputedTable> task;
        lock (_lock)
        {
            if (!_cache.TryGetValue(key, out var entry) || entry.Version != version || entry.Table.IsFaulted || entry.Table.IsCanceled)
            {
                if (_cache.Count >= Kept) _cache.Clear();
                // Started on a thread of its own, not here: SQLite's "async" queries complete synchronously, so
                // calling ComputeAsync directly would run the whole query and its significance tests (seconds)
                // inside this lock, and every other export request (IsReady, GetAsync) would wait for it.
                var compute = _compute ?? ComputeAsync;
                entry = (version, OwnThread(() => compute(choice)).Unwrap());
                _cache[key] = entry;
            }
            task = entry.Table;
        }
        return await task.WaitAsync(ct);
    }

    /// <summary>Whether the table of <paramref name="choice"/> is computed and cached (for any store version).</summary>
    public bool IsReady(ExportChoice choice)
    {
        lock (_lock) return _cache.TryGetValue(choice.Query(""), out var entry) && entry.Table.IsCompletedSuccessfully;
    }

    private async Task<ComputedTable> ComputeAsync(ExportChoice choice)
    {
        var store = await access.TryGetAsync() ?? throw new TableRequestException("the results database does not exist yet");
        var table = await SweepTableQuery.BuildAsync(store, choice.ToRequest());
        // With PostgreSQL the query really awaits and this continues on the thread pool: the tests get their own thread too.
        return await OwnThread(() => ComputedTable.Compute(table));
    }

    /// <summary>
    /// Runs blocking work (SQLite reads, seconds of paired tests) on a dedicated thread: on a thread-pool thread it
    /// would hold one of the few (as many as cores) that serve requests, and with them busy a request waits about
    /// half a second for each thread the pool adds.
    /// </summary>
    private static Task<T> OwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public static string Write(ComputedTable table, TableFormat format) => TableWriters.Write(table, format);

    public static string MediaType(TableFormat format) => format switch
    {
        TableFormat.Latex => "application/x-tex",
        TableFormat.Markdown => "text/markdown",
        TableFormat.Csv => "text/csv",
        _ => "application/json",
    };

    public static TableFormat ParseFormat(string? text) =>
        Enum.TryParse<TableFormat>(text, ignoreCase: true, out var f) ? f : TableFormat.Latex;
}
