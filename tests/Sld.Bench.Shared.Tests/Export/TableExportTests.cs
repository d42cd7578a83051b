// The paper table end to end: mean ± sample std over seeds, best and second per column in either direction,
// missing seeds, relative change and significance against the baseline, and the exact LaTeX, Markdown, CSV
// and JSON text, with a LaTeX table (special characters in its axis values) compiled by pdflatex.
using System.Text.Json;
using Sld.Bench.Shared.Export;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Testing;

namespace Sld.Bench.Shared.Tests.Export;

public sealed class TableExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("table-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>40 utterances of 10 words; the cell's run has errors[i] errors on utterance i (substitutions).</summary>
    private static IReadOnlyList<UtteranceOutcome> Utterances(Func<int, int> errors) =>
        [.. Enumerable.Range(0, 40).Select(i =>
        {
            var e = errors(i);
            return new UtteranceOutcome($"u{i:00}", new ErrorCounts(10 - e, e, 0, 0), new string('S', e) + new string('C', 10 - e));
        })];

    private static SeedRun Run(int seed, double value, Func<int, int>? errors = null) =>
        new(seed, value, errors is null ? null : Utterances(errors));

    private static ResultTable Sample(SignificanceTestKind test = SignificanceTestKind.PairedBootstrap) => new()
    {
        Title = "SLD loss comparison",
        Metric = new TableMetric("wer@test-clean", "WER (%) on test-clean", MetricDirection.LowerIsBetter),
        RowAxis = "loss",
        Rows = ["loss_masking", "multimodal_ce", "sld"],
        ColumnAxis = "tokenizer",
        Columns = ["kmeans", "hubert-500"],
        Fixed = [new("size", "tiny"), new("data", "demo & 50% dev")],
        Baseline = ("loss_masking", "kmeans"),
        Significance = new SignificanceOptions(test, Resamples: 500, Seed: 3),
        Cells =
        [
            new("loss_masking", "kmeans", [Run(1, 20.0, i => 2), Run(2, 22.0, i => 2), Run(3, 21.0, i => 2)], [1, 2, 3]),
            new("multimodal_ce", "kmeans", [Run(1, 19.0, i => 2), Run(2, 21.0, i => 2), Run(3, 23.0, i => 2)], [1, 2, 3]),
            new("sld", "kmeans", [Run(1, 15.0, i => 1), Run(2, 16.0, i => 1)], [1, 2, 3]),
            new("loss_masking", "hubert-500", [Run(1, 18.5), Run(2, 18.5), Run(3, 18.5)], [1, 2, 3]),
            new("multimodal_ce", "hubert-500", [Run(1, 18.0)], [1, 2, 3]),
            new("sld", "hubert-500", [Run(1, 18.5), Run(2, 18.5), Run(3, 18.5)], [1, 2, 3]),
        ],
    };

    [Fact]
    public void CellsCarryMeanStdRanksAndTheComparisonWithTheBaseline()
    {
        var t = ComputedTable.Compute(Sample());
        var baseline = t.At("loss_masking", "kmeans");
        Assert.Equal((3, 21.0, 1.0, true), (baseline.Summary.N, baseline.Summary.Mean!.Value, baseline.Summary.StdDev!.Value, baseline.IsBaseline));
        Assert.Null(baseline.Significance);

        var ce = t.At("multimodal_ce", "kmeans");
        Assert.Equal((21.0, 2.0, 2), (ce.Summary.Mean!.Value, ce.Summary.StdDev!.Value, ce.Rank));      // ties with the baseline's 21.00
        Assert.Equal((0.0, 0.0), (ce.Delta!.Value, ce.RelativeImprovement!.Value));
        Assert.False(ce.Significance!.Significant);                                                    // identical utterance errors
        Assert.Equal((3, 120), (ce.Significance.PairedSeeds, ce.Significance.PairedUtterances));

        var sld = t.At("sld", "kmeans");
        Assert.Equal((2, 3, 15.5, 1), (sld.Summary.N, sld.Summary.ExpectedN, sld.Summary.Mean!.Value, sld.Rank));
        Assert.Equal([3], sld.Summary.MissingSeeds);
        Assert.Equal(-5.5, sld.Delta!.Value, 12);
        Assert.Equal(100.0 * 5.5 / 21, sld.RelativeImprovement!.Value, 12);
        // Every utterance of seeds 1 and 2 has one error fewer than the baseline's: the interval is exactly -10 points.
        Assert.Equal(new CellSignificance("paired bootstrap", 2, 80, null, -10.0, -10.0, true), sld.Significance);
        Assert.Equal(2, t.At("loss_masking", "kmeans").Rank);
        Assert.Equal(2, t.At("multimodal_ce", "kmeans").Rank);

        // hubert-500: 18.00 is best, both 18.50 second; one seed gives no std; runs without utterances are not tested.
        Assert.Equal([2, 1, 2], t.Table.Rows.Select(r => t.At(r, "hubert-500").Rank));
        Assert.Null(t.At("multimodal_ce", "hubert-500").Summary.StdDev);
        Assert.Null(t.At("sld", "hubert-500").Significance);
        Assert.Equal(3, t.TypicalExpectedN);
    }

    [Fact]
    public void HigherIsBetterFlipsTheRanks()
    {
        var table = Sample() with { Metric = new TableMetric("acc", "Accuracy (%)", MetricDirection.HigherIsBetter, 1), Baseline = null };
        var t = ComputedTable.Compute(table);
        Assert.Equal([1, 1, 2], t.Table.Rows.Select(r => t.At(r, "kmeans").Rank));            // 21.0, 21.0, 15.5
        Assert.Equal([1, 2, 1], t.Table.Rows.Select(r => t.At(r, "hubert-500").Rank));        // 18.5, 18.0, 18.5
        Assert.Null(t.At("sld", "kmeans").Delta);
    }

    [Fact]
    public void MatchedPairsTestsCellsWithTheirOperationStrings()
    {
        // sld makes exactly one error fewer per utterance: every segment differs by one, so (as in sc_stats)
        // MAPSSWE has no spread and reports Z = 0, p = 1, where the bootstrap sees a certain difference.
        var t = ComputedTable.Compute(Sample(SignificanceTestKind.MatchedPairs));
        var sld = t.At("sld", "kmeans").Significance!;
        Assert.Equal(("MAPSSWE", 2, 80, 1.0, false), (sld.Test, sld.PairedSeeds, sld.PairedUtterances, sld.PValue, sld.Significant));
        Assert.Null(sld.Lower);

        // With 0 or 1 errors (against the baseline's 2) the differences vary and the test finds them.
        var varied = Sample(SignificanceTestKind.MatchedPairs) with
        {
            Cells = [.. Sample().Cells.Select(c => c.Row == "sld" && c.Column == "kmeans" ? c with { Runs = [Run(1, 15.0, i => i % 2), Run(2, 16.0, i => i % 2)] } : c)],
        };
        var significant = ComputedTable.Compute(varied).At("sld", "kmeans").Significance!;
        Assert.True(significant.Significant);
        Assert.True(significant.PValue < 1e-10, $"p = {significant.PValue}");

        var withoutOps = Sample(SignificanceTestKind.MatchedPairs) with
        {
            Cells = [.. Sample().Cells.Select(c => c with { Runs = [.. c.Runs.Select(r => r with { Utterances = r.Utterances?.Select(u => u with { Ops = null }).ToList() })] })],
        };
        Assert.Contains("MAPSSWE needs the operation strings", Assert.Throws<ArgumentException>(() => ComputedTable.Compute(withoutOps)).Message);
    }

    [Fact]
    public void InconsistentTablesAreRejected()
    {
        var s = Sample();
        Assert.Contains("is given twice", Assert.Throws<ArgumentException>(() => ComputedTable.Compute(s with { Cells = [.. s.Cells, s.Cells[0]] })).Message);
        Assert.Contains("not on the table's rows", Assert.Throws<ArgumentException>(() => ComputedTable.Compute(s with { Rows = ["sld"] })).Message);
        Assert.Contains("baseline (x, kmeans) is not a cell", Assert.Throws<ArgumentException>(() => ComputedTable.Compute(s with { Baseline = ("x", "kmeans") })).Message);
        var otherUtterances = s with
        {
            Cells = [.. s.Cells.Select(c => c.Row == "sld" && c.Column == "kmeans" ? c with { Runs = [Run(1, 15.0, i => 1) with { Utterances = Utterances(i => 1).Skip(1).ToList() }] } : c)],
        };
        Assert.Contains("was scored on other utterances", Assert.Throws<ArgumentException>(() => ComputedTable.Compute(otherUtterances)).Message);
    }

    [Fact]
    public void LatexTableText()
    {
        Assert.Equal(
            "% SLD loss comparison (metric wer@test-clean)\n" +
            "\\begin{table}[t]\n" +
            "  \\centering\n" +
            "  \\caption{WER (\\%) on test-clean (lower is better): mean $\\pm$ sample standard deviation over seeds, n = 3 per cell unless marked (n = runs/expected). " +
            "Held fixed: size = tiny, data = demo \\& 50\\% dev. Best per column in bold, second underlined. " +
            "$^{\\dagger}$: significantly different from the baseline (loss = loss\\_masking, tokenizer = kmeans) at p \\textless{} 0.05, " +
            "paired bootstrap over utterances (500 resamples, seed 3; the 95\\% interval of the difference excludes 0), runs paired by seed.}\n" +
            "  \\label{tab:sld-loss-comparison}\n" +
            "  \\begin{tabular}{lcc}\n" +
            "    \\toprule\n" +
            "    loss & \\multicolumn{2}{c}{tokenizer} \\\\\n" +
            "    \\cmidrule(lr){2-3}\n" +
            "     & kmeans & hubert-500 \\\\\n" +
            "    \\midrule\n" +
            "    loss\\_masking & \\underline{$21.00 \\pm 1.00$} & \\underline{$18.50 \\pm 0.00$} \\\\\n" +
            "    multimodal\\_ce & \\underline{$21.00 \\pm 2.00$} & $\\mathbf{18.00}$\\,{\\scriptsize (n = 1/3)} \\\\\n" +
            "    sld & $\\mathbf{15.50 \\pm 0.71}$$^{\\dagger}$\\,{\\scriptsize (n = 2/3)} & \\underline{$18.50 \\pm 0.00$} \\\\\n" +
            "    \\bottomrule\n" +
            "  \\end{tabular}\n" +
            "\\end{table}\n",
            LatexTableWriter.Write(ComputedTable.Compute(Sample())));
    }

    [Fact]
    public void CaptionClaimsNoTestWithoutPerUtteranceResults()
    {
        var s = Sample();
        var plain = s with { Cells = [.. s.Cells.Select(c => c with { Runs = [.. c.Runs.Select(r => r with { Utterances = null })] })] };
        var markdown = TableWriters.Markdown(ComputedTable.Compute(plain));
        Assert.Contains("- Baseline: loss = loss\\_masking, tokenizer = kmeans; no per-utterance results, so no significance test.\n", markdown);
        Assert.DoesNotContain("†", markdown);
    }

    [Fact]
    public void LatexEscapesEverySpecialCharacter()
    {
        Assert.Equal("\\textbackslash{}\\{\\}\\$\\&\\%\\#\\_\\textasciitilde{}\\textasciicircum{}\\textless{}\\textgreater{}\\textbar{}$\\pm$ é",
            LatexTableWriter.Escape("\\{}$&%#_~^<>|± é"));
    }

    [Fact]
    public void LatexCompilesWithPdflatex()
    {
        var nasty = Sample() with
        {
            Title = "50% of {all} #runs",
            RowAxis = "loss_fn & ~tau^2",
            Rows = ["loss_masking", "multimodal_ce", "sld"],
            ColumnAxis = "tokenizer\\path <k>",
            Columns = ["kmeans", "hubert-500"],
            Fixed = [new("größe", "tiny|$5"), new("a_b", "x#y")],
        };
        File.WriteAllText(Path.Combine(_dir, "table.tex"), LatexTableWriter.Standalone(ComputedTable.Compute(nasty)));
        var (code, stdout, _) = ExternalTool.Run(ExternalTool.Pdflatex, ["-interaction=nonstopmode", "-halt-on-error", "table.tex"], _dir);
        Assert.True(code == 0, stdout);
        Assert.True(new FileInfo(Path.Combine(_dir, "table.pdf")).Length > 1000);
        Assert.DoesNotContain("Missing character", File.ReadAllText(Path.Combine(_dir, "table.log")));
    }

    [Fact]
    public void MarkdownTableText()
    {
        Assert.Equal(
            "## SLD loss comparison\n\n" +
            "- WER (%) on test-clean (lower is better): mean ± sample standard deviation over seeds, n = 3 per cell unless marked (n = runs/expected).\n" +
            "- Held fixed: size = tiny, data = demo & 50% dev.\n" +
            "- Best per column in bold, second underlined.\n" +
            "- †: significantly different from the baseline (loss = loss\\_masking, tokenizer = kmeans) at p &lt; 0.05, paired bootstrap over utterances " +
            "(500 resamples, seed 3; the 95% interval of the difference excludes 0), runs paired by seed.\n\n" +
            "|loss \\\\ tokenizer|kmeans|hubert-500|\n" +
            "|---|---|---|\n" +
            "|loss\\_masking|<u>21.00 ± 1.00</u>|<u>18.50 ± 0.00</u>|\n" +
            "|multimodal\\_ce|<u>21.00 ± 2.00</u>|**18.00** (n = 1/3)|\n" +
            "|sld|**15.50 ± 0.71**† (n = 2/3)|<u>18.50 ± 0.00</u>|\n",
            TableWriters.Markdown(ComputedTable.Compute(Sample())));
    }

    [Fact]
    public void CsvAndJsonCarryTheSameNumbers()
    {
        var t = ComputedTable.Compute(Sample());
        var csv = TableWriters.Csv(t).Split("\r\n");
        Assert.Equal(8, csv.Length);                                   // header, 6 cells, trailing empty
        Assert.Equal("loss,tokenizer,metric,n,expected_n,missing_seeds,mean,std,min,max,values,rank,baseline,delta,relative_improvement_pct,test,p_value,ci_low,ci_high,significant", csv[0]);
        Assert.Equal("loss_masking,kmeans,wer@test-clean,3,3,,21,1,20,22,1:20;2:22;3:21,2,true,,,,,,,", csv[1]);
        Assert.Equal($"sld,kmeans,wer@test-clean,2,3,3,15.5,{Math.Sqrt(0.5):R},15,16,1:15;2:16,1,false,-5.5,{100.0 * 5.5 / 21:R},paired bootstrap,,-10,-10,true", csv[5]);
        Assert.Equal("multimodal_ce,hubert-500,wer@test-clean,1,3,2;3,18,,18,18,1:18,1,false,-3,14.285714285714286,,,,,", csv[4]);

        using var json = JsonDocument.Parse(TableWriters.Json(t));
        var root = json.RootElement;
        Assert.Equal("loss", root.GetProperty("rowAxis").GetString());
        Assert.Equal("lowerIsBetter", root.GetProperty("metric").GetProperty("direction").GetString());
        Assert.Equal("demo & 50% dev", root.GetProperty("fixed").GetProperty("data").GetString());
        var sld = root.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("row").GetString() == "sld" && c.GetProperty("column").GetString() == "kmeans");
        Assert.Equal(15.5, sld.GetProperty("mean").GetDouble());
        Assert.Equal([3], sld.GetProperty("missingSeeds").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(-10.0, sld.GetProperty("significance").GetProperty("upper").GetDouble());
        Assert.True(sld.GetProperty("significance").GetProperty("significant").GetBoolean());
        Assert.Equal(TableWriters.Write(t, TableFormat.Csv), TableWriters.Csv(t));
    }
}
