// The leaderboard as a pure function of the catalogue and a query: filter runs by sweep, status and
// "axis=value" terms, optionally group them by chosen axes (mean +- sample std over the group's runs and n,
// so grouping by every axis but the seed averages over seeds), sort by any column and cut one page.
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public sealed record LeaderboardQuery
{
    public string? Sweep { get; init; }
    public string? TestSet { get; init; }
    public Metric Metric { get; init; } = Metric.Wer;
    /// <summary>Whitespace-separated terms: axis=value (also sweep=, status=, run=) or a word any axis value contains.</summary>
    public string? Filter { get; init; }
    public IReadOnlyList<string> GroupBy { get; init; } = [];
    /// <summary>"metric", "run", "status", "sweep", "n" or an axis name.</summary>
    public string Sort { get; init; } = "metric";
    public bool Descending { get; init; }
    public int Skip { get; init; }
    public int Take { get; init; } = 50;
}

/// <summary>One line of the table: a run, or a group of runs with the spread of the metric over them.</summary>
public sealed record LeaderboardRow(
    string Key,
    RunInfo? Run,
    IReadOnlyDictionary<string, string> Axes,
    double? Value,
    double? StdDev,
    int N,
    int Runs,
    IReadOnlyDictionary<RunStatus, int> Statuses,
    IReadOnlyList<long> RunIds);

public sealed record LeaderboardPage(IReadOnlyList<string> Axes, IReadOnlyList<LeaderboardRow> Rows, int Total, int RunCount, string? TestSet);

public static class Leaderboard
{
    public static LeaderboardPage Build(Snapshot snapshot, LeaderboardQuery q)
    {
        var testSet = q.TestSet is { } t && snapshot.TestSets.Contains(t) ? t : snapshot.TestSets.FirstOrDefault();
        var runs = Filter(snapshot, q).ToList();
        var axes = snapshot.AxesOf(runs);
        var skip = Math.Max(0, q.Skip);
        var take = Math.Clamp(q.Take, 1, 500);
        if (q.GroupBy.Count == 0)
        {
            // Sort the runs by their keys and build display rows for the visible page only: with 10,000 runs
            // a row (and its axis dictionary) per run would be most of the page's time.
            var values = runs.Select(r => (Run: r, Value: r.Status == RunStatus.Done && snapshot.Evaluation(r.Id, testSet) is { } e ? Metrics.Percent(e, q.Metric) : null)).ToList();
            var page = SortRuns(values, q.Sort, q.Descending).Skip(skip).Take(take).Select(x => RunRow(x.Run, x.Value)).ToList();
            return new LeaderboardPage(axes, page, values.Count, runs.Count, testSet);
        }
        var by = q.GroupBy.Where(axes.Contains).ToList();
        var sorted = Sort(Group(snapshot, runs, by, testSet, q.Metric), q.Sort, q.Descending).ToList();
        return new LeaderboardPage(by, [.. sorted.Skip(skip).Take(take)], sorted.Count, runs.Count, testSet);
    }

    /// <summary>The runs a query's sweep and filter terms select.</summary>
    public static IEnumerable<RunInfo> Filter(Snapshot snapshot, LeaderboardQuery q)
    {
        var terms = ParseFilter(q.Filter);
        return snapshot.Runs.Where(r => r.InPlan && (q.Sweep is null || r.Sweep == q.Sweep) && terms.All(term => Matches(r, term)));
    }

    internal static IReadOnlyList<(string? Key, string Value)> ParseFilter(string? filter) =>
        [.. (filter ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(term => term.IndexOf('=') is var i and > 0 ? (term[..i], term[(i + 1)..]) : ((string?)null, term))];

    private static bool Matches(RunInfo run, (string? Key, string Value) term)
    {
        var (key, value) = term;
        if (key is null)
            return run.Axes.Values.Any(v => v.Text.Contains(value, StringComparison.OrdinalIgnoreCase)) ||
                   run.Sweep.Contains(value, StringComparison.OrdinalIgnoreCase) ||
                   run.Status.ToString().Equals(value, StringComparison.OrdinalIgnoreCase);
        var alternatives = value.Split(',', StringSplitOptions.RemoveEmptyEntries);
        string? actual = key.ToLowerInvariant() switch
        {
            "status" => run.Status.ToString(),
            "sweep" => run.Sweep,
            "run" => run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => run.Axis(key)?.Text,
        };
        return actual is not null && alternatives.Any(a => a.Equals(actual, StringComparison.OrdinalIgnoreCase));
    }

    private static LeaderboardRow RunRow(RunInfo r, double? value) =>
        new(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r,
            r.Axes.ToDictionary(kv => kv.Key, kv => kv.Value.Text), value, null, value.HasValue ? 1 : 0, 1,
            new Dictionary<RunStatus, int> { [r.Status] = 1 }, [r.Id]);

    /// <summary>The same order as <see cref="Sort"/> gives the runs' rows: runs without a value last, ties by run id.</summary>
    private static IEnumerable<(RunInfo Run, double? Value)> SortRuns(List<(RunInfo Run, double? Value)> runs, string column, bool descending)
    {
        IOrderedEnumerable<(RunInfo Run, double? Value)> ordered = column switch
        {
            "run" => By(runs.OrderBy(r => 0), r => r.Run.Id, descending),
            "status" => By(runs.OrderBy(r => 0), r => r.Run.Status.ToString(), descending),
            "sweep" => By(runs.OrderBy(r => 0), r => r.Run.Sweep, descending),
            "n" => By(runs.OrderBy(r => 0), r => r.Value.HasValue ? 1 : 0, descending),
            "metric" => By(runs.OrderBy(r => r.Value is null), r => r.Value ?? 0, descending),
            _ => By(runs.OrderBy(r => r.Run.Axis(column) is null), r => r.Run.Axis(column) ?? Missing, descending),
        };
        return ordered.ThenBy(r => r.Run.Id);
    }

    private static readonly AxisValue Missing = new("", null);

    private static List<LeaderboardRow> Group(Snapshot snapshot, List<RunInfo> runs, IReadOnlyList<string> by, string? testSet, Metric metric) =>
        [.. runs.GroupBy(r => string.Join("\u001f", by.Select(a => r.Axis(a)?.Text ?? "")))
            .Select(g =>
            {
                var first = g.First();
                var values = g.Where(r => r.Status == RunStatus.Done)
                    .Select(r => snapshot.Evaluation(r.Id, testSet) is { } e ? Metrics.Percent(e, metric) : null)
                    .OfType<double>().ToList();
                var spread = Spread.Of(values);
                var (mean, std) = (spread?.Mean, spread?.StdDev);
                return new LeaderboardRow(g.Key, null, by.ToDictionary(a => a, a => first.Axis(a)?.Text ?? "—"),
                    mean, std, values.Count, g.Count(),
                    g.GroupBy(r => r.Status).ToDictionary(s => s.Key, s => s.Count()), [.. g.Select(r => r.Id)]);
            })];

    private static IEnumerable<LeaderboardRow> Sort(List<LeaderboardRow> rows, string column, bool descending)
    {
        // Rows without a value (not done, no evaluation) stay at the bottom in both directions.
        IOrderedEnumerable<LeaderboardRow> ordered = column switch
        {
            "run" => By(rows.OrderBy(r => 0), r => r.Run?.Id ?? 0, descending),
            "status" => By(rows.OrderBy(r => 0), r => r.Run?.Status.ToString() ?? "", descending),
            "sweep" => By(rows.OrderBy(r => 0), r => r.Run?.Sweep ?? "", descending),
            "n" => By(rows.OrderBy(r => 0), r => r.N, descending),
            "metric" => By(rows.OrderBy(r => r.Value is null), r => r.Value ?? 0, descending),
            _ => By(rows.OrderBy(r => !r.Axes.ContainsKey(column)), r => AxisKey(r, column), descending),
        };
        return ordered.ThenBy(r => r.Run?.Id ?? 0).ThenBy(r => r.Key, StringComparer.Ordinal);
    }

    private static AxisValue AxisKey(LeaderboardRow row, string axis) =>
        row.Run?.Axis(axis) ?? (row.Axes.TryGetValue(axis, out var text) ? new AxisValue(text, double.TryParse(text, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null) : new AxisValue("", null));

    private static IOrderedEnumerable<T> By<T, TKey>(IOrderedEnumerable<T> rows, Func<T, TKey> key, bool descending) =>
        descending ? rows.ThenByDescending(key) : rows.ThenBy(key);
}
