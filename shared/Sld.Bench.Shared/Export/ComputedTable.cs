// Turns a ResultTable into the numbers every writer shows: mean +- sample std over seeds with n and missing
// seeds, best and second best per column (compared at the displayed precision, so a tie on the page is a tie),
// the change relative to the baseline cell, and the significance test against it with the runs paired by seed.
using System.Globalization;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Shared.Export;

/// <summary>
/// The test of one cell against the baseline, pooled over the seeds both cells have (utterance u of seed s is
/// paired with utterance u of seed s). For the bootstrap, Lower/Upper bound the difference cell - baseline in
/// points; for MAPSSWE they are null and <see cref="PValue"/> is the two-sided normal p.
/// </summary>
public sealed record CellSignificance(string Test, int PairedSeeds, int PairedUtterances, double? PValue, double? Lower, double? Upper, bool Significant);

public sealed record ComputedCell(string Row, string Column, SeedSummary Summary, IReadOnlyList<SeedRun> Runs)
{
    /// <summary>1 for the best value of its column, 2 for the second, 0 otherwise.</summary>
    public int Rank { get; init; }

    public bool IsBaseline { get; init; }

    /// <summary>Mean minus the baseline's mean.</summary>
    public double? Delta { get; init; }

    /// <summary>Relative change against the baseline in percent, positive when better (a relative WER reduction for WER).</summary>
    public double? RelativeImprovement { get; init; }

    public CellSignificance? Significance { get; init; }
}

public sealed class ComputedTable
{
    private readonly Dictionary<(string, string), ComputedCell> _cells;

    private ComputedTable(ResultTable table, Dictionary<(string, string), ComputedCell> cells)
    {
        Table = table;
        _cells = cells;
    }

    public ResultTable Table { get; }

    /// <summary>Cells in row-major display order; a combination with no cell has no runs and expects none.</summary>
    public IEnumerable<ComputedCell> Cells => Table.Rows.SelectMany(r => Table.Columns.Select(c => At(r, c)));

    public ComputedCell At(string row, string column) => _cells[(row, column)];

    /// <summary>The mean as displayed (invariant culture, the metric's decimals), or null when the cell has no run.</summary>
    public string? Mean(ComputedCell cell) => cell.Summary.Mean is { } m ? Format(m) : null;

    public string Format(double value) => value.ToString("F" + Table.Metric.Decimals, CultureInfo.InvariantCulture);

    /// <summary>The number of seeds most cells expect (the caption's n).</summary>
    public int TypicalExpectedN => Cells.GroupBy(c => c.Summary.ExpectedN).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key)
        .Select(g => g.Key).FirstOrDefault();

    public static ComputedTable Compute(ResultTable table)
    {
        Validate(table);
        var given = table.Cells.ToDictionary(c => (c.Row, c.Column));
        var cells = new Dictionary<(string, string), ComputedCell>();
        foreach (var r in table.Rows)
            foreach (var c in table.Columns)
            {
                var cell = given.GetValueOrDefault((r, c)) ?? new TableCell(r, c, [], []);
                var summary = SeedSummary.Of(cell.Runs.ToDictionary(x => x.Seed, x => x.Value), cell.ExpectedSeeds);
                cells[(r, c)] = new ComputedCell(r, c, summary, cell.Runs);
            }
        var computed = new ComputedTable(table, cells);
        computed.Rank();
        if (table.Baseline is { } b) computed.CompareWithBaseline(cells[(b.Row, b.Column)]);
        return computed;
    }

    private static void Validate(ResultTable table)
    {
        if (table.Rows.Count == 0 || table.Columns.Count == 0) throw new ArgumentException("a table needs at least one row and one column");
        if (table.Rows.Distinct().Count() != table.Rows.Count) throw new ArgumentException($"{table.RowAxis}: a row value is repeated");
        if (table.Columns.Distinct().Count() != table.Columns.Count) throw new ArgumentException($"{table.ColumnAxis}: a column value is repeated");
        var seen = new HashSet<(string, string)>();
        foreach (var cell in table.Cells)
        {
            if (!table.Rows.Contains(cell.Row) || !table.Columns.Contains(cell.Column))
                throw new ArgumentException($"cell ({cell.Row}, {cell.Column}) is not on the table's rows and columns");
            if (!seen.Add((cell.Row, cell.Column))) throw new ArgumentException($"cell ({cell.Row}, {cell.Column}) is given twice");
            if (cell.Runs.Select(r => r.Seed).Distinct().Count() != cell.Runs.Count)
                throw new ArgumentException($"cell ({cell.Row}, {cell.Column}) has two runs with the same seed");
        }
        if (table.Baseline is { } b && (!table.Rows.Contains(b.Row) || !table.Columns.Contains(b.Column)))
            throw new ArgumentException($"the baseline ({b.Row}, {b.Column}) is not a cell of the table");
    }

    private void Rank()
    {
        var lowerIsBetter = Table.Metric.Direction == MetricDirection.LowerIsBetter;
        foreach (var column in Table.Columns)
        {
            var shown = Table.Rows.Select(r => At(r, column)).Where(c => c.Summary.Mean.HasValue)
                .Select(c => (cell: c, value: decimal.Parse(Mean(c)!, CultureInfo.InvariantCulture))).ToList();
            var distinct = shown.Select(s => s.value).Distinct().OrderBy(v => lowerIsBetter ? v : -v).ToList();
            foreach (var (cell, value) in shown)
            {
                var rank = distinct.IndexOf(value) + 1;
                if (rank <= 2) _cells[(cell.Row, cell.Column)] = _cells[(cell.Row, cell.Column)] with { Rank = rank };
            }
        }
    }

    private void CompareWithBaseline(ComputedCell baseline)
    {
        var better = Table.Metric.Direction == MetricDirection.LowerIsBetter ? -1 : 1;
        foreach (var key in _cells.Keys.ToList())
        {
            var cell = _cells[key];
            if ((cell.Row, cell.Column) == (baseline.Row, baseline.Column))
            {
                _cells[key] = cell with { IsBaseline = true };
                continue;
            }
            if (cell.Summary.Mean is not { } m || baseline.Summary.Mean is not { } b) continue;
            _cells[key] = cell with
            {
                Delta = m - b,
                RelativeImprovement = b == 0 ? null : better * 100.0 * (m - b) / Math.Abs(b),
                Significance = Test(cell, baseline),
            };
        }
    }

    private CellSignificance? Test(ComputedCell cell, ComputedCell baseline)
    {
        var baseRuns = baseline.Runs.Where(r => r.Utterances != null).ToDictionary(r => r.Seed);
        var pairs = new List<(UtteranceOutcome Baseline, UtteranceOutcome Cell)>();
        var seeds = 0;
        foreach (var run in cell.Runs.Where(r => r.Utterances != null).OrderBy(r => r.Seed))
        {
            if (!baseRuns.TryGetValue(run.Seed, out var baseRun)) continue;
            var byId = baseRun.Utterances!.ToDictionary(u => u.Id, StringComparer.Ordinal);
            if (byId.Count != run.Utterances!.Count || run.Utterances.Any(u => !byId.ContainsKey(u.Id)))
                throw new ArgumentException($"cell ({cell.Row}, {cell.Column}) seed {run.Seed} was scored on other utterances than the baseline");
            pairs.AddRange(run.Utterances.Select(u => (byId[u.Id], u)));
            seeds++;
        }
        if (pairs.Count == 0) return null;
        var o = Table.Significance;
        if (o.Test == SignificanceTestKind.PairedBootstrap)
        {
            var r = PairedBootstrap.Run([.. pairs.Select(p => p.Baseline.Counts)], [.. pairs.Select(p => p.Cell.Counts)], o.Resamples, o.Seed, 1 - o.Alpha);
            return new CellSignificance(PairedBootstrap.Name, seeds, pairs.Count, null, r.Lower, r.Upper, r.Significant);
        }
        if (pairs.Any(p => p.Baseline.Ops is null || p.Cell.Ops is null))
            throw new ArgumentException($"MAPSSWE needs the operation strings of every utterance; cell ({cell.Row}, {cell.Column}) or the baseline lacks them");
        var m = MatchedPairsTest.Run(pairs.Select(p => (p.Baseline.Ops!, p.Cell.Ops!)));
        return new CellSignificance(MatchedPairsTest.Name, seeds, pairs.Count, m.PValue, null, null, m.SignificantAt(o.Alpha));
    }
}
