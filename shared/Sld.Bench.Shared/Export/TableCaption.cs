// The caption sentences every format states in its own markup: what the numbers are (metric, direction,
// mean ± sample std over n seeds), the settings held fixed, what bold and underline mean, and which test marks
// a significant difference (†) to which baseline cell. Plain text; each writer escapes it for its format.
using System.Globalization;

namespace Sld.Bench.Shared.Export;

/// <summary>The caption as plain sentences (the dashboard shows them under its preview).</summary>
public static class TableCaption
{
    public const string Mark = "†";

    public static IReadOnlyList<string> Sentences(ComputedTable t)
    {
        var table = t.Table;
        var inv = CultureInfo.InvariantCulture;
        var direction = table.Metric.Direction == MetricDirection.LowerIsBetter ? "lower is better" : "higher is better";
        var sentences = new List<string>
        {
            $"{table.Metric.Label} ({direction}): mean ± sample standard deviation over seeds, n = {t.TypicalExpectedN} per cell " +
            "unless marked (n = runs/expected).",
        };
        if (table.Fixed.Count > 0)
            sentences.Add($"Held fixed: {string.Join(", ", table.Fixed.Select(kv => $"{kv.Key} = {kv.Value}"))}.");
        sentences.Add("Best per column in bold, second underlined.");
        if (table.Baseline is not { } b) return sentences;
        var baseline = $"{table.RowAxis} = {b.Row}, {table.ColumnAxis} = {b.Column}";
        if (!t.Cells.Any(c => c.Significance != null))
            sentences.Add($"Baseline: {baseline}; no per-utterance results, so no significance test.");
        else
        {
            var o = table.Significance;
            var test = o.Test == SignificanceTestKind.PairedBootstrap
                ? $"paired bootstrap over utterances ({o.Resamples.ToString("N0", inv)} resamples, seed {o.Seed}; " +
                  $"the {(100 * (1 - o.Alpha)).ToString("0.##", inv)}% interval of the difference excludes 0)"
                : "matched-pairs sentence-segment word error test (MAPSSWE, two-sided)";
            sentences.Add($"{Mark}: significantly different from the baseline ({baseline}) at p < {o.Alpha.ToString("0.###", inv)}, " +
                          $"{test}, runs paired by seed.");
        }
        return sentences;
    }
}
