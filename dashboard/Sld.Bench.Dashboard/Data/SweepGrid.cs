// The sweep grid: two axes of one sweep as rows and columns, the other axes held at chosen values (or pooled),
// and in each cell the metric's mean ± std over the cell's done runs (its seeds), with the statuses of the
// runs that are not done yet. Lower is better for every metric here, so the colour scale runs green to red.
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public sealed record GridQuery(string Sweep, string RowAxis, string ColumnAxis, Metric Metric, string? TestSet)
{
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

public sealed record GridResult(GridQuery Query, IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyDictionary<(string, string), GridCell> Cells,
    IReadOnlyList<string> OtherAxes, IReadOnlyDictionary<string, IReadOnlyList<string>> AxisValues, double? Min, double? Max)
{
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
        var rows = values.GetValueOrDefault(q.RowAxis) ?? [];
        var columns = values.GetValueOrDefault(q.ColumnAxis) ?? [];
        var selected = runs.Where(r => q.Fixed.All(f => f.Key == q.RowAxis || f.Key == q.ColumnAxis || r.Axis(f.Key)?.Text == f.Value));
        var cells = selected.GroupBy(r => (r.Axis(q.RowAxis)?.Text ?? "—", r.Axis(q.ColumnAxis)?.Text ?? "—")).ToDictionary(g => g.Key, g =>
        {
            var metric = g.Where(r => r.Status == RunStatus.Done)
                .Select(r => snapshot.Evaluation(r.Id, q.TestSet) is { } e ? Metrics.Percent(e, q.Metric) : null).OfType<double>().ToList();
            var spread = Spread.Of(metric);
            var (mean, std) = (spread?.Mean, spread?.StdDev);
            return new GridCell(g.Key.Item1, g.Key.Item2, mean, std, metric.Count, [.. g.OrderBy(r => r.Seed ?? 0)]);
        });
        var means = cells.Values.Select(c => c.Mean).OfType<double>().ToList();
        return new GridResult(q, rows, columns, cells, [.. axes.Where(a => a != q.RowAxis && a != q.ColumnAxis)], values,
            means.Count == 0 ? null : means.Min(), means.Count == 0 ? null : means.Max());
    }
}
