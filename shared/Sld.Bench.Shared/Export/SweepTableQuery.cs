// Builds the paper table of `sldbench export` and the dashboard's Export page from the results store: two axes
// of one sweep as rows and columns, one metric on one test set (wer@test-clean), every other axis held fixed
// (named in the caption), seeds as the spread, and with a baseline cell the per-utterance results of every done
// run so each cell can be tested against it. Input mistakes raise TableRequestException naming the choices.
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Shared.Export;

/// <summary>A table request as the CLI and the dashboard take it.</summary>
public sealed record SweepTableRequest
{
    public required string Sweep { get; init; }
    public required string RowAxis { get; init; }
    public required string ColumnAxis { get; init; }

    /// <summary>METRIC@TESTSET with METRIC one of <see cref="SweepTableQuery.Metrics"/>, e.g. wer@test-clean.</summary>
    public required string Metric { get; init; }

    /// <summary>The baseline cell: "ROW,COLUMN" (the two axis values) or "AXIS=VALUE,AXIS=VALUE"; null for none.</summary>
    public string? Baseline { get; init; }

    /// <summary>Values for axes that vary but are neither rows nor columns (AXIS -> VALUE).</summary>
    public IReadOnlyDictionary<string, string> Fixed { get; init; } = new Dictionary<string, string>();

    public SignificanceOptions Significance { get; init; } = new();
}

/// <summary>A request the store cannot answer: an unknown sweep, axis, metric, test set or cell, or an axis left varying.</summary>
public sealed class TableRequestException(string message) : Exception(message);

public static class SweepTableQuery
{
    /// <summary>The metrics a table can show, all from summed counts and in percent; lower is better for each.</summary>
    public static IReadOnlyList<string> Metrics { get; } = ["wer", "cer", "ser", "sub", "del", "ins"];

    /// <summary>The most cells (rows x columns) a table may have: a paper table has tens, a page or file of 10^8 none can read.</summary>
    public const long MaxCells = 10_000;

    public const string SeedAxis = "seed";

    public static async Task<ResultTable> BuildAsync(ResultsStore store, SweepTableRequest request, CancellationToken ct = default)
    {
        var (metric, testSet) = ParseMetric(request.Metric);
        if (request.RowAxis == request.ColumnAxis) throw new TableRequestException($"rows and columns are both '{request.RowAxis}': pick two different axes");
        await using var ctx = store.CreateContext();
        var sweep = await ctx.Sweeps.Where(s => s.Name == request.Sweep).Select(s => new { s.Id, s.Name }).FirstOrDefaultAsync(ct);
        if (sweep is null)
        {
            var names = await ctx.Sweeps.OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(ct);
            throw new TableRequestException($"no sweep '{request.Sweep}' in {store.Location}; sweeps: {Choices(names)}");
        }

        var runs = await ctx.Runs.Where(r => r.SweepId == sweep.Id && r.InPlan)
            .Select(r => new { r.Id, r.Seed, r.Status }).ToListAsync(ct);
        var axisRows = await ctx.RunAxisValues.Where(a => ctx.Runs.Any(r => r.Id == a.RunId && r.SweepId == sweep.Id && r.InPlan))
            .Select(a => new { a.RunId, a.Axis, a.ValueText, a.ValueNumber }).ToListAsync(ct);
        var axes = axisRows.GroupBy(a => a.RunId).ToDictionary(g => g.Key, g => g.ToDictionary(a => a.Axis, a => (a.ValueText, a.ValueNumber), StringComparer.Ordinal));
        var axisNames = axisRows.Select(a => a.Axis).Where(a => a != SeedAxis).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var axis in new[] { request.RowAxis, request.ColumnAxis })
            if (!axisNames.Contains(axis)) throw new TableRequestException($"sweep '{sweep.Name}' has no axis '{axis}'; axes: {Choices(axisNames)}");
        foreach (var axis in request.Fixed.Keys)
            if (!axisNames.Contains(axis)) throw new TableRequestException($"cannot fix '{axis}': sweep '{sweep.Name}' has no such axis; axes: {Choices(axisNames)}");

        // Every other axis must have one value among the selected runs; a run where an axis does not apply
        // (a conditional axis) matches any value of it.
        var fixedShown = new List<KeyValuePair<string, string>>();
        var selected = runs.Where(r => request.Fixed.All(f => Value(axes, r.Id, f.Key) is not { } v || v.Text == f.Value)).ToList();
        foreach (var axis in axisNames.Where(a => a != request.RowAxis && a != request.ColumnAxis))
        {
            var values = selected.Select(r => Value(axes, r.Id, axis)).OfType<(string Text, double? Number)>().Distinct().OrderBy(v => v, ValueOrder).ToList();
            if (request.Fixed.TryGetValue(axis, out var chosen))
            {
                if (values.Count == 0) throw new TableRequestException($"'{axis}' has no value {chosen} in sweep '{sweep.Name}'");
                fixedShown.Add(new(axis, chosen));
            }
            else if (values.Count > 1)
                throw new TableRequestException($"axis '{axis}' varies ({Choices(values.Select(v => v.Text))}): make it the rows or the columns, " +
                                                $"or hold it fixed with --fix {axis}=VALUE");
            else if (values.Count == 1) fixedShown.Add(new(axis, values[0].Text));
        }

        var rows = Ordered(selected.Select(r => Value(axes, r.Id, request.RowAxis)));
        var columns = Ordered(selected.Select(r => Value(axes, r.Id, request.ColumnAxis)));
        var runIds = selected.Select(r => r.Id).ToList();
        var evaluations = await ctx.Evaluations.Where(e => e.TestSet == testSet && ctx.Runs.Any(r => r.Id == e.RunId && r.SweepId == sweep.Id && r.InPlan))
            .Select(e => new { e.Id, e.RunId, e.Correct, e.Substitutions, e.Deletions, e.Insertions, e.RefWords, e.Cer, e.Sentences, e.SentenceErrors })
            .ToListAsync(ct);
        if (evaluations.Count == 0)
        {
            var testSets = await ctx.Evaluations.Where(e => ctx.Runs.Any(r => r.Id == e.RunId && r.SweepId == sweep.Id))
                .Select(e => e.TestSet).Distinct().OrderBy(t => t).ToListAsync(ct);
            throw new TableRequestException(testSets.Count == 0
                ? $"sweep '{sweep.Name}' has no evaluated run yet"
                : $"sweep '{sweep.Name}' has no evaluation on '{testSet}'; test sets: {Choices(testSets)}");
        }
        var byRun = evaluations.ToDictionary(e => e.RunId);

        (string Row, string Column)? baseline = request.Baseline is { } b ? ParseBaseline(b, request.RowAxis, request.ColumnAxis, rows, columns) : null;
        var utterances = baseline is null ? null
            : await LoadUtterancesAsync(ctx, [.. selected.Where(r => r.Status == RunStatus.Done && byRun.ContainsKey(r.Id)).Select(r => byRun[r.Id].Id)], ct);

        if ((long)rows.Count * columns.Count > MaxCells)
            throw new TableRequestException($"the table would have {rows.Count:N0} rows ({request.RowAxis}) x {columns.Count:N0} columns ({request.ColumnAxis}), " +
                                            $"more than {MaxCells:N0} cells: pick axes with fewer values, or fix more axes");
        var cells = new List<TableCell>();
        foreach (var cell in selected.GroupBy(r => (Row: Value(axes, r.Id, request.RowAxis)?.Text, Column: Value(axes, r.Id, request.ColumnAxis)?.Text)))
        {
            if (cell.Key.Row is null || cell.Key.Column is null) continue;
            var seeds = cell.GroupBy(r => Seed(axes, r.Id, r.Seed)).ToList();
            if (seeds.FirstOrDefault(s => s.Count() > 1) is { } twice)
                throw new TableRequestException($"cell ({cell.Key.Row}, {cell.Key.Column}) has {twice.Count()} runs with seed {twice.Key}; " +
                                                "an axis other than the seed still varies there");
            var done = cell.Where(r => r.Status == RunStatus.Done && byRun.ContainsKey(r.Id)).Select(r =>
            {
                var e = byRun[r.Id];
                var value = MetricValue(metric, e.Correct, e.Substitutions, e.Deletions, e.Insertions, e.RefWords, e.Cer, e.Sentences, e.SentenceErrors);
                return value is { } v ? new SeedRun(Seed(axes, r.Id, r.Seed), v, utterances?.GetValueOrDefault(e.Id)) : null;
            }).OfType<SeedRun>().ToList();
            cells.Add(new TableCell(cell.Key.Row, cell.Key.Column, done, [.. seeds.Select(s => s.Key).Order()]));
        }

        var label = $"{Label(metric)} (%) on {testSet}";
        return new ResultTable
        {
            Title = $"{sweep.Name}: {label}",
            Metric = new TableMetric($"{metric}@{testSet}", label, MetricDirection.LowerIsBetter),
            RowAxis = request.RowAxis,
            Rows = rows,
            ColumnAxis = request.ColumnAxis,
            Columns = columns,
            Fixed = fixedShown,
            Cells = cells,
            Baseline = baseline,
            Significance = request.Significance,
        };
    }

    /// <summary>Splits METRIC@TESTSET; the metric is case-insensitive.</summary>
    public static (string Metric, string TestSet) ParseMetric(string text)
    {
        var at = text.IndexOf('@');
        if (at <= 0 || at == text.Length - 1)
            throw new TableRequestException($"metric '{text}' is not METRIC@TESTSET (e.g. wer@test-clean); metrics: {Choices(Metrics)}");
        var metric = text[..at].Trim().ToLowerInvariant();
        if (!Metrics.Contains(metric)) throw new TableRequestException($"unknown metric '{text[..at]}'; metrics: {Choices(Metrics)}");
        return (metric, text[(at + 1)..].Trim());
    }

    public static string Label(string metric) => metric switch
    {
        "wer" => "WER",
        "cer" => "CER",
        "ser" => "SER",
        "sub" => "Sub",
        "del" => "Del",
        "ins" => "Ins",
        _ => metric,
    };

    /// <summary>The metric in percent from an evaluation's summed counts; null when it is undefined (no reference word).</summary>
    public static double? MetricValue(string metric, long correct, long substitutions, long deletions, long insertions, long refWords, double cer, int sentences, int sentenceErrors)
    {
        if (metric == "cer") return 100.0 * cer;
        if (metric == "ser") return sentences == 0 ? null : 100.0 * sentenceErrors / sentences;
        if (refWords == 0) return null;
        var count = metric switch
        {
            "sub" => substitutions,
            "del" => deletions,
            "ins" => insertions,
            _ => substitutions + deletions + insertions,
        };
        return 100.0 * count / refWords;
    }

    private static (string, string) ParseBaseline(string text, string rowAxis, string columnAxis, IReadOnlyList<string> rows, IReadOnlyList<string> columns)
    {
        var parts = text.Split(',', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
            throw new TableRequestException($"baseline '{text}' is not ROW,COLUMN or {rowAxis}=VALUE,{columnAxis}=VALUE");
        string? row = null, column = null;
        foreach (var part in parts)
        {
            var eq = part.IndexOf('=');
            var axis = eq > 0 ? part[..eq] : null;
            var value = eq > 0 ? part[(eq + 1)..] : part;
            if (axis == rowAxis || (axis is null && row is null)) row = value;
            else if (axis == columnAxis || axis is null) column = value;
            else throw new TableRequestException($"baseline '{text}': '{axis}' is neither the rows ({rowAxis}) nor the columns ({columnAxis})");
        }
        if (row is null || !rows.Contains(row)) throw new TableRequestException($"baseline '{text}': {rowAxis} has no value '{row}'; values: {Choices(rows)}");
        if (column is null || !columns.Contains(column)) throw new TableRequestException($"baseline '{text}': {columnAxis} has no value '{column}'; values: {Choices(columns)}");
        return (row, column);
    }

    private static async Task<Dictionary<long, IReadOnlyList<UtteranceOutcome>>> LoadUtterancesAsync(ResultsDbContext ctx, List<long> evaluationIds, CancellationToken ct)
    {
        var result = new Dictionary<long, IReadOnlyList<UtteranceOutcome>>();
        foreach (var id in evaluationIds)
        {
            var rows = await ctx.UtteranceResults.Where(u => u.EvaluationId == id)
                .Select(u => new { u.UtteranceId, u.Correct, u.Substitutions, u.Deletions, u.Insertions, u.Alignment }).ToListAsync(ct);
            result[id] = [.. rows.Select(u => new UtteranceOutcome(u.UtteranceId, new ErrorCounts(u.Correct, u.Substitutions, u.Deletions, u.Insertions), u.Alignment))];
        }
        return result;
    }

    private static (string Text, double? Number)? Value(Dictionary<long, Dictionary<string, (string, double?)>> axes, long runId, string axis) =>
        axes.TryGetValue(runId, out var a) && a.TryGetValue(axis, out var v) ? v : null;

    private static int Seed(Dictionary<long, Dictionary<string, (string, double?)>> axes, long runId, long? seed) =>
        (int)(seed ?? (Value(axes, runId, SeedAxis) is { Number: { } n } ? (long)n : 0));

    private static List<string> Ordered(IEnumerable<(string Text, double? Number)?> values) =>
        [.. values.OfType<(string Text, double? Number)>().Distinct().OrderBy(v => v, ValueOrder).Select(v => v.Text).Distinct()];

    /// <summary>Numbers in numeric order before text in ordinal order, as the dashboard sorts axis values.</summary>
    private static readonly Comparer<(string Text, double? Number)> ValueOrder = Comparer<(string Text, double? Number)>.Create((a, b) =>
        a.Number is { } x && b.Number is { } y ? x.CompareTo(y)
        : a.Number.HasValue != b.Number.HasValue ? (a.Number.HasValue ? -1 : 1)
        : string.CompareOrdinal(a.Text, b.Text));

    private static string Choices(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list.Take(20)) + (list.Count > 20 ? $" and {list.Count - 20} more" : "");
    }
}
