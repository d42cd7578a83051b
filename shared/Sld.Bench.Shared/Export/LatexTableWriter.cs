// Renders a computed table as a LaTeX booktabs table that compiles with pdflatex: mean $\pm$ std per cell,
// best per column in bold, second underlined, a dagger where the difference to the baseline is significant,
// n marked where seeds are missing, and a caption that states all of it. Axis values are escaped.
using System.Text;

namespace Sld.Bench.Shared.Export;

public static class LatexTableWriter
{
    public const string Mark = "$^{\\dagger}$";

    /// <summary>The table environment; the document needs \usepackage{booktabs}.</summary>
    public static string Write(ComputedTable t)
    {
        var table = t.Table;
        var sb = new StringBuilder();
        sb.Append("% ").Append(Comment(table.Title)).Append(" (metric ").Append(Comment(table.Metric.Name)).Append(")\n");
        sb.Append("\\begin{table}[t]\n  \\centering\n");
        sb.Append("  \\caption{").Append(Escape(string.Join(' ', TableCaption.Sentences(t)))).Append("}\n");
        sb.Append("  \\label{tab:").Append(Label(table.Title)).Append("}\n");
        sb.Append("  \\begin{tabular}{l").Append('c', table.Columns.Count).Append("}\n");
        sb.Append("    \\toprule\n");
        sb.Append("    ").Append(Escape(table.RowAxis)).Append(" & \\multicolumn{").Append(table.Columns.Count).Append("}{c}{")
          .Append(Escape(table.ColumnAxis)).Append("} \\\\\n");
        sb.Append("    \\cmidrule(lr){2-").Append(table.Columns.Count + 1).Append("}\n");
        sb.Append("    ").Append(string.Concat(table.Columns.Select(c => " & " + Escape(c)))).Append(" \\\\\n");
        sb.Append("    \\midrule\n");
        foreach (var row in table.Rows)
        {
            sb.Append("    ").Append(Escape(row));
            foreach (var column in table.Columns) sb.Append(" & ").Append(Cell(t, t.At(row, column)));
            sb.Append(" \\\\\n");
        }
        sb.Append("    \\bottomrule\n  \\end{tabular}\n\\end{table}\n");
        return sb.ToString();
    }

    /// <summary>A complete document around the table, for compiling it on its own.</summary>
    public static string Standalone(ComputedTable t) =>
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n\\usepackage{booktabs}\n" +
        "\\begin{document}\n" + Write(t) + "\\end{document}\n";

    /// <summary>
    /// Escapes text for LaTeX: the ten special characters, &lt; &gt; | (which the default font encodings print
    /// wrongly), and ± † as math. pdflatex handles Latin letters with accents; other scripts need xelatex or lualatex.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            sb.Append(ch switch
            {
                '\\' => "\\textbackslash{}",
                '{' => "\\{",
                '}' => "\\}",
                '$' => "\\$",
                '&' => "\\&",
                '%' => "\\%",
                '#' => "\\#",
                '_' => "\\_",
                '~' => "\\textasciitilde{}",
                '^' => "\\textasciicircum{}",
                '<' => "\\textless{}",
                '>' => "\\textgreater{}",
                '|' => "\\textbar{}",
                '±' => "$\\pm$",
                '†' => Mark,
                _ => ch.ToString(),
            });
        }
        return sb.ToString();
    }

    private static string Cell(ComputedTable t, ComputedCell cell)
    {
        if (t.Mean(cell) is not { } mean) return "--";
        var body = cell.Summary.StdDev is { } sd ? $"{mean} \\pm {t.Format(sd)}" : mean;
        var text = cell.Rank switch
        {
            1 => $"$\\mathbf{{{body}}}$",
            2 => $"\\underline{{${body}$}}",
            _ => $"${body}$",
        };
        if (cell.Significance?.Significant == true) text += Mark;
        if (cell.Summary.HasMissingSeeds) text += $"\\,{{\\scriptsize (n = {cell.Summary.N}/{cell.Summary.ExpectedN})}}";
        return text;
    }

    private static string Label(string title)
    {
        var sb = new StringBuilder();
        foreach (var ch in title.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or ':' ? ch : '-');
        return sb.ToString().Trim('-');
    }

    private static string Comment(string text) => text.Replace('\n', ' ').Replace('\r', ' ');
}
