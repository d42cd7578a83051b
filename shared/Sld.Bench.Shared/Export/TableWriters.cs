// The same computed table as Markdown (ESPnet RESULTS.md style: a heading, the settings as a list, a pipe
// table with bold best and underlined second), CSV (one line per cell, full precision) and JSON, so every
// format carries the same numbers.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sld.Bench.Shared.Export;

public enum TableFormat
{
    Latex,
    Markdown,
    Csv,
    Json,
}

public static class TableWriters
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Write(ComputedTable t, TableFormat format) => format switch
    {
        TableFormat.Latex => LatexTableWriter.Write(t),
        TableFormat.Markdown => Markdown(t),
        TableFormat.Csv => Csv(t),
        TableFormat.Json => Json(t),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static string Markdown(ComputedTable t)
    {
        var table = t.Table;
        var sb = new StringBuilder();
        sb.Append("## ").Append(EscapeMarkdown(table.Title)).Append("\n\n");
        foreach (var sentence in TableCaption.Sentences(t)) sb.Append("- ").Append(EscapeMarkdown(sentence)).Append('\n');
        sb.Append('\n');
        sb.Append('|').Append(EscapeMarkdown($"{table.RowAxis} \\ {table.ColumnAxis}"));
        foreach (var c in table.Columns) sb.Append('|').Append(EscapeMarkdown(c));
        sb.Append("|\n|").Append(string.Concat(Enumerable.Repeat("---|", table.Columns.Count + 1))).Append('\n');
        foreach (var row in table.Rows)
        {
            sb.Append('|').Append(EscapeMarkdown(row));
            foreach (var column in table.Columns) sb.Append('|').Append(MarkdownCell(t, t.At(row, column)));
            sb.Append("|\n");
        }
        return sb.ToString();
    }

    /// <summary>Escapes Markdown's inline markup and the table pipe; &lt; and &gt; become entities.</summary>
    public static string EscapeMarkdown(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (ch is '<') sb.Append("&lt;");
            else if (ch is '>') sb.Append("&gt;");
            else
            {
                if (ch is '\\' or '|' or '*' or '_' or '`' or '[' or ']' or '#') sb.Append('\\');
                sb.Append(ch);
            }
        }
        return sb.ToString();
    }

    private static string MarkdownCell(ComputedTable t, ComputedCell cell)
    {
        if (t.Mean(cell) is not { } mean) return "–";
        var body = cell.Summary.StdDev is { } sd ? $"{mean} ± {t.Format(sd)}" : mean;
        body = cell.Rank switch { 1 => $"**{body}**", 2 => $"<u>{body}</u>", _ => body };
        if (cell.Significance?.Significant == true) body += TableCaption.Mark;
        if (cell.Summary.HasMissingSeeds) body += $" (n = {cell.Summary.N}/{cell.Summary.ExpectedN})";
        return body;
    }

    /// <summary>
    /// One line per cell with full-precision numbers ("R" format): the two axis values (headed by the axis
    /// names), n, expected n, missing seeds, mean, std, min, max, the values by seed ("seed:value;..."), rank,
    /// baseline flag, delta and relative improvement against the baseline, and the test's result.
    /// </summary>
    public static string Csv(ComputedTable t)
    {
        var table = t.Table;
        var sb = new StringBuilder();
        Line(sb, [table.RowAxis, table.ColumnAxis, "metric", "n", "expected_n", "missing_seeds", "mean", "std", "min", "max", "values",
                  "rank", "baseline", "delta", "relative_improvement_pct", "test", "p_value", "ci_low", "ci_high", "significant"]);
        foreach (var c in t.Cells)
        {
            var s = c.Summary;
            var sig = c.Significance;
            Line(sb, [c.Row, c.Column, table.Metric.Name, N(s.N), N(s.ExpectedN), string.Join(';', s.MissingSeeds),
                      R(s.Mean), R(s.StdDev), R(s.Min), R(s.Max),
                      string.Join(';', c.Runs.OrderBy(r => r.Seed).Select(r => $"{r.Seed}:{R(r.Value)}")),
                      N(c.Rank), c.IsBaseline ? "true" : "false", R(c.Delta), R(c.RelativeImprovement),
                      sig?.Test ?? "", R(sig?.PValue), R(sig?.Lower), R(sig?.Upper), sig is null ? "" : sig.Significant ? "true" : "false"]);
        }
        return sb.ToString();

        static string N(int v) => v.ToString(Inv);
        static string R(double? v) => v is { } x ? x.ToString("R", Inv) : "";
    }

    public static string Json(ComputedTable t)
    {
        var table = t.Table;
        var document = new
        {
            title = table.Title,
            metric = table.Metric,
            rowAxis = table.RowAxis,
            rows = table.Rows,
            columnAxis = table.ColumnAxis,
            columns = table.Columns,
            @fixed = table.Fixed.ToDictionary(kv => kv.Key, kv => kv.Value),
            baseline = table.Baseline is { } b ? new { row = b.Row, column = b.Column } : null,
            significance = table.Significance,
            cells = t.Cells.Select(c => new
            {
                row = c.Row,
                column = c.Column,
                n = c.Summary.N,
                expectedN = c.Summary.ExpectedN,
                missingSeeds = c.Summary.MissingSeeds,
                mean = c.Summary.Mean,
                std = c.Summary.StdDev,
                min = c.Summary.Min,
                max = c.Summary.Max,
                values = c.Runs.OrderBy(r => r.Seed).Select(r => new { seed = r.Seed, value = r.Value }),
                rank = c.Rank,
                isBaseline = c.IsBaseline,
                delta = c.Delta,
                relativeImprovement = c.RelativeImprovement,
                significance = c.Significance,
            }),
        };
        return JsonSerializer.Serialize(document, JsonOptions) + "\n";
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static void Line(StringBuilder sb, IEnumerable<string> fields)
    {
        sb.Append(string.Join(',', fields.Select(f =>
            f.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{f.Replace("\"", "\"\"")}\"" : f)));
        sb.Append("\r\n");
    }
}
