// State of the export page: the choice from the URL (completed with defaults from the catalogue), the computed
// table or the reason there is none, and the text of the chosen format.
using Microsoft.AspNetCore.Components;
using Sld.Bench.Dashboard.Data;
using Sld.Bench.Shared.Export;

namespace Sld.Bench.Dashboard.Components.Pages.Export;

public partial class ExportPage
{
    private Snapshot _snapshot = Snapshot.Empty;
    private ExportChoice? _choice;
    private IReadOnlyList<string> _axes = [];
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _axisValues = new Dictionary<string, IReadOnlyList<string>>();
    private ComputedTable? _table;
    private string? _text;
    private string? _error;
    private TableFormat _format = TableFormat.Latex;
    private bool _significancePending;


    [Inject] private ExportTables Tables { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "sweep")] public string? Sweep { get; set; }
    [SupplyParameterFromQuery(Name = "rows")] public string? Rows { get; set; }
    [SupplyParameterFromQuery(Name = "cols")] public string? Cols { get; set; }
    [SupplyParameterFromQuery(Name = "metric")] public string? MetricName { get; set; }
    [SupplyParameterFromQuery(Name = "testset")] public string? TestSet { get; set; }
    [SupplyParameterFromQuery(Name = "fix")] public string[]? Fix { get; set; }
    [SupplyParameterFromQuery(Name = "baseline")] public string? Baseline { get; set; }
    [SupplyParameterFromQuery(Name = "test")] public string? Test { get; set; }
    [SupplyParameterFromQuery(Name = "format")] public string? Format { get; set; }

    protected override async Task LoadAsync(CancellationToken ct)
    {
        _snapshot = await Reader.GetSnapshotAsync(ct);
        _format = ExportTables.ParseFormat(Format);
        _choice = ExportChoice.From(_snapshot, Sweep, Rows, Cols, MetricName, TestSet, Fix, Baseline, Test);
        (_table, _text, _error, _significancePending) = (null, null, null, false);
        if (_choice is null) return;
        var sweep = _snapshot.Sweep(_choice.Sweep)!;
        _axes = [.. sweep.Axes.Where(a => a != "seed")];
        _axisValues = ExportChoice.AxisValues(_snapshot, sweep);
        try
        {
            if (_choice.Baseline is not null && !Tables.IsReady(_choice))
            {
                // Paired tests over every utterance of every cell take seconds on a large store: show the table
                // now (first, so it does not queue behind them for the database) and put the significance marks
                // in when they are computed; the result is cached for the next visit and for the download.
                _table = await Tables.GetAsync(_choice with { Baseline = null }, ct);
                _text = ExportTables.Write(_table, _format);
                _significancePending = true;
                var choice = _choice;
                _ = Task.Run(() => Tables.GetAsync(choice, CancellationToken.None)).ContinueWith(t => InvokeAsync(() =>
                {
                    if (!ReferenceEquals(choice, _choice)) return;
                    _significancePending = false;
                    if (t.IsCompletedSuccessfully)
                    {
                        _table = t.Result;
                        _text = ExportTables.Write(_table, _format);
                    }
                    else _error = t.Exception?.GetBaseException().Message ?? "the significance test was cancelled";
                    StateHasChanged();
                }), TaskScheduler.Default);
                return;
            }
            var full = Tables.GetAsync(_choice, ct);
            _table = await full;
            _text = ExportTables.Write(_table, _format);
        }
        catch (Exception e) when (e is TableRequestException or ArgumentException)
        {
            _error = e.Message;
        }
    }

    private string CellText(ComputedCell cell)
    {
        if (_table!.Mean(cell) is not { } mean) return "–";
        var text = cell.Summary.StdDev is { } sd ? $"{mean} ± {_table.Format(sd)}" : mean;
        if (cell.Significance?.Significant == true) text += " †";
        if (cell.Summary.HasMissingSeeds) text += $" (n = {cell.Summary.N}/{cell.Summary.ExpectedN})";
        return text;
    }

    private static string Tooltip(ComputedCell cell)
    {
        var parts = new List<string> { $"n = {cell.Summary.N} of {cell.Summary.ExpectedN}" };
        if (cell.IsBaseline) parts.Add("baseline");
        if (cell.Delta is { } d) parts.Add($"Δ {Shared.Fmt.Delta(d)} points");
        if (cell.Significance is { } s)
            parts.Add(s.PValue is { } p ? $"{s.Test} p = {Shared.Fmt.P(p)}" : $"{s.Test} 95% CI [{Shared.Fmt.Num(s.Lower)}, {Shared.Fmt.Num(s.Upper)}]");
        return string.Join(" · ", parts);
    }

    private static string Label(TableFormat f) => f switch
    {
        TableFormat.Latex => "LaTeX",
        TableFormat.Markdown => "Markdown",
        TableFormat.Csv => "CSV",
        _ => "JSON",
    };

    private string Command
    {
        get
        {
            var c = _choice!;
            var args = new List<string> { "sldbench export", "--sweep", Quote(c.Sweep), "--rows", Quote(c.RowAxis), "--cols", Quote(c.ColumnAxis),
                "--metric", Quote($"{c.Metric.ToString().ToLowerInvariant()}@{c.TestSet}") };
            foreach (var (axis, value) in c.Fixed) args.AddRange(["--fix", Quote($"{axis}={value}")]);
            if (c.Baseline is { } b)
            {
                args.AddRange(["--baseline", Quote(b)]);
                args.AddRange(c.Test == SignificanceTestKind.MatchedPairs ? ["--test", "mapsswe"] : ["--test", "bootstrap", "--resamples", ExportChoice.Resamples.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
            args.AddRange(["--format", _format.ToString().ToLowerInvariant()]);
            return string.Join(' ', args);
        }
    }

    private static string Quote(string s) => s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' or '=' or '@' or ',' or '/') ? s : "'" + s.Replace("'", "'\\''") + "'";
}
