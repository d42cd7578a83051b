// State of the sweep grid page: sweep, axes, metric, test set and held values, all mirrored in the URL.
using System.Globalization;
using Sld.Bench.Dashboard.Components.Shared;
using Sld.Bench.Dashboard.Data;
using Microsoft.AspNetCore.Components;

namespace Sld.Bench.Dashboard.Components.Pages.Grid;

public partial class SweepGridPage
{
    private Snapshot _snapshot = Snapshot.Empty;
    private GridResult? _grid;
    private IReadOnlyList<string> _axes = [];
    private Dictionary<string, string> _fixed = [];

    [SupplyParameterFromQuery(Name = "sweep")] public string? Sweep { get; set; }
    [SupplyParameterFromQuery(Name = "rows")] public string? Rows { get; set; }
    [SupplyParameterFromQuery(Name = "cols")] public string? Cols { get; set; }
    [SupplyParameterFromQuery(Name = "metric")] public string? MetricName { get; set; }
    [SupplyParameterFromQuery(Name = "testset")] public string? TestSet { get; set; }
    /// <summary>Held values as axis=value pairs separated by ';'.</summary>
    [SupplyParameterFromQuery(Name = "fixed")] public string? FixedParam { get; set; }
    /// <summary>Which page of rows and of columns a grid larger than one page shows (0-based).</summary>
    [SupplyParameterFromQuery(Name = "rowpage")] public int RowPage { get; set; }
    [SupplyParameterFromQuery(Name = "colpage")] public int ColPage { get; set; }

    protected override Task OnParametersSetAsync()
    {
        _fixed = (FixedParam ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return base.OnParametersSetAsync();
    }

    protected override async Task LoadAsync(CancellationToken ct)
    {
        _snapshot = await Reader.GetSnapshotAsync(ct);
        Rebuild();
    }

    private void Rebuild()
    {
        if (_snapshot.Sweeps.Count == 0) return;
        var sweep = _snapshot.Sweep(Sweep) ?? _snapshot.Sweeps.OrderByDescending(s => s.UpdatedAt).First();
        Sweep = sweep.Name;
        _axes = sweep.Axes;
        var nonSeed = _axes.Where(a => a != "seed").ToList();
        if (Rows is null || !_axes.Contains(Rows)) Rows = nonSeed.ElementAtOrDefault(0) ?? _axes.FirstOrDefault() ?? "";
        if (Cols is null || !_axes.Contains(Cols)) Cols = nonSeed.ElementAtOrDefault(1) ?? _axes.FirstOrDefault(a => a != Rows) ?? Rows;
        if (TestSet is null || !_snapshot.TestSets.Contains(TestSet)) TestSet = _snapshot.TestSets.FirstOrDefault();
        _grid = SweepGrid.Build(_snapshot, new GridQuery(Sweep, Rows, Cols, Metrics.Parse(MetricName), TestSet) { Fixed = _fixed, RowPage = RowPage, ColumnPage = ColPage });
    }

    private string CurrentUrl => PageUrl(RowPage, ColPage);

    private string PageUrl(int rowPage, int colPage) => UrlState.Build("grid", ("sweep", Sweep), ("rows", Rows), ("cols", Cols), ("metric", MetricName), ("testset", TestSet),
        ("fixed", string.Join(";", _fixed.Select(kv => $"{kv.Key}={kv.Value}"))),
        ("rowpage", rowPage > 0 ? rowPage.ToString(CultureInfo.InvariantCulture) : null), ("colpage", colPage > 0 ? colPage.ToString(CultureInfo.InvariantCulture) : null));

    private static string CellTitle(GridCell cell) => string.Join("\n", cell.Runs.Select(r =>
        $"#{r.Id} seed {r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "—"}: {r.Status.ToString().ToLowerInvariant()}"));

    private async Task ApplyAsync()
    {
        Rebuild();
        await UrlState.ReplaceAsync(JS, Nav, CurrentUrl);
    }

    private Task AxesChangedAsync()
    {
        RowPage = ColPage = 0;
        return ApplyAsync();
    }

    private Task SweepChangedAsync()
    {
        RowPage = ColPage = 0;
        Rows = Cols = null;
        _fixed.Clear();
        return ApplyAsync();
    }

    private Task FixAsync(string axis, string? value)
    {
        if (string.IsNullOrEmpty(value)) _fixed.Remove(axis);
        else _fixed[axis] = value;
        return ApplyAsync();
    }
}
