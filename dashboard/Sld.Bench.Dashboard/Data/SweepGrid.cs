// The sweep grid: two axes of one sweep as rows and columns, the other axes held at chosen values (or pooled),
// and in each cell the metric's mean ± std over the cell's done runs (its seeds), with the statuses of the
// runs that are not done yet. Lower is better for every metric here, so the colour scale runs green to red.
// Whatever the store holds, one page shows at most MaxRows x MaxColumns cells (paged) and MaxChoices values
// per held axis, so an axis of 10,000 seeds on both sides is 2,500 cells to build, not 10^8.
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public sealed record GridQuery(string Sweep, string RowAxis, string ColumnAxis, Metric Metric, string? TestSet)
{
    /// <summary>Rows and columns one page of the grid shows at most.</summary>
    public const int MaxRows = 50, MaxColumns = 50;

    /// <summary>Values listed per held axis at most (its other values can still be named in the URL).</summary>
    public const int MaxChoices = 500;

    /// <summary>Which page of rows (0-based, MaxRows each) and of columns is shown.</summary>
    public int RowPage { get; init; }

    public int ColumnPage { get; init; }

    /// <summary>Values of the other axes to hold fixed; an axis not named here is pooled.</summary>
    public IReadOnlyDictionary<string, string> Fixed { get; init; } = new Dictionary<string, string>();
}

public sealed record GridCell(string Row, string Column, double? Mean, double? StdDev, int N, IReadOnlyList<RunInfo> Runs)
{
    /// <summary>The run a click opens: the lowest seed among done runs, else the first run.</summary>
    public RunInfo? Representative => Runs.Where(r => r.Status == RunStatus.Done).OrderBy(r => r.Seed ?? 0).FirstOrDefault() ?? Runs.FirstOrDefault();

    public IReadOnlyDictionary<RunStatus, int> NotDone => Runs.Where(r => r.Status != RunStatus.Done)
        .GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
}

/// <summary>One page of the grid: <see cref="Rows"/> and <see cref="Columns"/> are the shown ones, from <see cref="RowStart"/> of <see cref="TotalRows"/>.</summary>
public sealed record GridResult(GridQuery Query, IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyDictionary<(string, string), GridCell> Cells,
    IReadOnlyList<string> OtherAxes, IReadOnlyDictionary<string, IReadOnlyList<string>> AxisValues, double? Min, double? Max)
{
    public int TotalRows { get; init; }

    public int TotalColumns { get; init; }

    public int RowStart { get; init; }

    public int ColumnStart { get; init; }

    /// <summary>Whether the grid is larger than one page (the page then says which part it shows).</summary>
    public bool IsPaged => TotalRows > Rows.Count || TotalColumns > Columns.Count;

    public GridCell At(string row, string column) => Cells.TryGetValue((row, column), out var c) ? c : new GridCell(row, column, null, null, 0, []);

    /// <summary>A background colour from green (best) to red (worst) for a value between the grid's extremes.</summary>
    public string Colour(double? value)
    {
        if (value is not { } v || Min is not { } lo || Max is not { } hi) return "#f0f2f6";
        var t = hi > lo ? (v - lo) / (hi - lo) : 0;
        return $"hsl({(130 * (1 - t)).ToString("F0", System.Globalization.CultureInfo.InvariantCulture)} 60% 80%)";
    }
}

public static class SweepGrid
{
    public static GridResult Build(Snapshot snapshot, GridQuery q)
    {
        var runs = snapshot.Runs.Where(r => r.InPlan && r.Sweep == q.Sweep).ToList();
        var axes = snapshot.Sweep(q.Sweep)?.Axes ?? [];
        var values = axes.ToDictionary(a => a, a => (IReadOnlyList<string>)[.. runs.Select(r => r.Axis(a)).OfType<AxisValue>().Distinct().Order().Select(v => v.Text)]);
        var allRows = values.GetValueOrDefault(q.RowAxis) ?? [];
        var allColumns = values.GetValueOrDefault(q.ColumnAxis) ?? [];
        var rowStart = PageStart(q.RowPage, GridQuery.MaxRows, allRows.Count);
        var columnStart = PageStart(q.ColumnPage, GridQuery.MaxColumns, allColumns.Count);
        var rows = allRows.Skip(rowStart).Take(GridQuery.MaxRows).ToList();
        var columns = allColumns.Skip(columnStart).Take(GridQuery.MaxColumns).ToList();
        var shownRows = rows.ToHashSet(StringComparer.Ordinal);
        var shownColumns = columns.ToHashSet(StringComparer.Ordinal);
        var selected = runs.Where(r => q.Fixed.All(f => f.Key == q.RowAxis || f.Key == q.ColumnAxis || r.Axis(f.Key)?.Text == f.Value)
                                       && shownRows.Contains(r.Axis(q.RowAxis)?.Text ?? "—") && shownColumns.Contains(r.Axis(q.ColumnAxis)?.Text ?? "—"));
        var cells = selected.GroupBy(r => (r.Axis(q.RowAxis)?.Text ?? "—", r.Axis(q.ColumnAxis)?.Text ?? "—")).ToDictionary(g => g.Key, g =>
        {
            var metric = g.Where(r => r.Status == RunStatus.Done)
                .Select(r => snapshot.Evaluation(r.Id, q.TestSet) is { } e ? Metrics.Percent(e, q.Metric) : null).OfType<double>().ToList();
            var spread = Spread.Of(metric);
            var (mean, std) = (spread?.Mean, spread?.StdDev);
            return new GridCell(g.Key.Item1, g.Key.Item2, mean, std, metric.Count, [.. g.OrderBy(r => r.Seed ?? 0)]);
        });
        var means = cells.Values.Select(c => c.Mean).OfType<double>().ToList();
        var others = axes.Where(a => a != q.RowAxis && a != q.ColumnAxis).ToList();
        var choices = values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value.Take(GridQuery.MaxChoices)]);
        return new GridResult(q, rows, columns, cells, others, choices,
            means.Count == 0 ? null : means.Min(), means.Count == 0 ? null : means.Max())
        {
            TotalRows = allRows.Count,
            TotalColumns = allColumns.Count,
            RowStart = rowStart,
            ColumnStart = columnStart,
        };
    }

    /// <summary>The first index of page <paramref name="page"/>, clamped to the last page.</summary>
    private static int PageStart(int page, int size, int total) =>
        total == 0 ? 0 : Math.Clamp(page, 0, (total - 1) / size) * size;
}
