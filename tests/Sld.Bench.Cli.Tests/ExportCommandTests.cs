// `sldbench export` and `sldbench serve` against a store of synthetic sweeps (a 3 x 2 grid with two seeds and
// runs left pending, running and failed): the numbers of each format against the store's own evaluations, the
// caption's fixed settings and test, a LaTeX file that pdflatex compiles, and errors that name the choices.
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Dashboard.Tests.Seeding;
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Testing;

namespace Sld.Bench.Cli.Tests;

public sealed class ExportStore : IAsyncLifetime
{
    public static readonly SyntheticSweep Grid = new("sld_vs_lm", [("loss.strategy", "[lm, mce, sld]"), ("model.layers", "[2, 4]"), ("tokenizer.k", "[500]")]);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("export-command-").FullName;

    public string Database => Path.Combine(Directory, "results.db");

    /// <summary>WER in percent of every done run on test-clean, by (loss, layers), seed order.</summary>
    public Dictionary<(string Loss, string Layers), List<double>> Wer { get; } = [];

    public async Task InitializeAsync()
    {
        await SyntheticResults.WriteThroughStoreAsync(Database, [Grid], Directory);
        await using var store = await ResultsStore.OpenReadOnlyAsync(Database);
        var sweep = (await store.ListSweepsAsync()).Single();
        foreach (var run in (await store.ListRunsAsync(sweep.Id, RunStatus.Done)).OrderBy(r => r.Seed))
        {
            var e = (await store.GetEvaluationsAsync(run.Id)).Single(e => e.TestSet == "test-clean");
            var key = (Axis(run, "loss.strategy"), Axis(run, "model.layers"));
            if (!Wer.TryGetValue(key, out var list)) Wer[key] = list = [];
            list.Add(100.0 * (e.Substitutions + e.Deletions + e.Insertions) / e.RefWords);
        }
    }

    private static string Axis(Run run, string axis) => run.AxisValues.Single(a => a.Axis == axis).ValueText;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}

[Collection(ConsoleCollection.Name)]
public sealed class ExportCommandTests(ExportStore store) : IClassFixture<ExportStore>
{
    /// <summary>Exports sld_vs_lm by loss and layers; an option given in <paramref name="args"/> replaces the default.</summary>
    private (int code, string stdout, string stderr) Export(params string[] args)
    {
        string[] defaults = ["--db", store.Database, "--sweep", "sld_vs_lm", "--rows", "loss.strategy", "--cols", "model.layers"];
        var kept = defaults.Chunk(2).Where(d => !args.Contains(d[0])).SelectMany(d => d);
        return Cli.Capture(["export", .. kept, .. args]);
    }

    private string Cell(string loss, string layers)
    {
        var spread = Spread.Of(store.Wer[(loss, layers)])!;
        var mean = spread.Mean.ToString("F2", CultureInfo.InvariantCulture);
        return spread.StdDev is { } sd ? $"{mean} ± {sd.ToString("F2", CultureInfo.InvariantCulture)}" : mean;
    }

    [Fact]
    public void MarkdownShowsMeanStdOverSeedsWithMissingSeedsMarked()
    {
        var (code, stdout, stderr) = Export("--metric", "wer@test-clean", "--format", "markdown");
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.StartsWith("## sld\\_vs\\_lm: WER (%) on test-clean\n", stdout);
        Assert.Contains("- Held fixed: tokenizer.k = 500.", stdout);
        Assert.Contains("|loss.strategy \\\\ model.layers|2|4|\n", stdout);
        var lines = stdout.Split('\n').Where(l => l.StartsWith("|lm|") || l.StartsWith("|mce|") || l.StartsWith("|sld|")).ToList();
        Assert.Equal(["lm", "mce", "sld"], lines.Select(l => l.Split('|')[1]));
        // Every cell's mean ± std is the one of the store's runs; the last cells of the plan lost seeds
        // (pending, running, failed), which the table says.
        foreach (var (key, values) in store.Wer)
            Assert.Contains(Cell(key.Loss, key.Layers), lines.Single(l => l.StartsWith($"|{key.Loss}|")));
        Assert.Contains("(n = 1/2)", stdout);
        Assert.Equal(12 - 3, store.Wer.Values.Sum(v => v.Count));
    }

    [Fact]
    public void LatexWithABaselineCompilesAndStatesTheTest()
    {
        var dir = Directory.CreateTempSubdirectory("export-latex-").FullName;
        try
        {
            var file = Path.Combine(dir, "table.tex");
            var (code, _, stderr) = Export("--baseline", "loss.strategy=lm,model.layers=2", "--format", "latex", "--standalone", "--output", file);
            Assert.True(code == ExitCodes.Success, stderr);
            var tex = File.ReadAllText(file);
            Assert.Contains("\\toprule", tex);
            Assert.Contains("paired bootstrap over utterances (10,000 resamples", tex);
            Assert.Contains("baseline (loss.strategy = lm, model.layers = 2)", tex);
            Assert.Contains("Held fixed: tokenizer.k = 500.", tex);
            Assert.Contains("\\mathbf{", tex);
            Assert.Contains("\\underline{", tex);
            var (pdf, log, _) = ExternalTool.Run(ExternalTool.Pdflatex, ["-interaction=nonstopmode", "-halt-on-error", "table.tex"], dir);
            Assert.True(pdf == 0, log);
            Assert.True(new FileInfo(Path.Combine(dir, "table.pdf")).Length > 1000);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CsvAndJsonCarryTheSameNumbersAndTheTestAgainstTheBaseline()
    {
        var (code, csv, stderr) = Export("--baseline", "lm,2", "--test", "mapsswe", "--format", "csv");
        Assert.True(code == ExitCodes.Success, stderr);
        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToList();
        Assert.Equal("loss.strategy", rows[0][0]);
        Assert.Equal(7, rows.Count);
        var header = rows[0].ToList();
        var mce4 = rows.Single(r => r[0] == "mce" && r[1] == "4");
        Assert.Equal("MAPSSWE", mce4[header.IndexOf("test")]);
        Assert.InRange(double.Parse(mce4[header.IndexOf("p_value")], CultureInfo.InvariantCulture), 0, 1);
        // The last cell of the plan has no done run (pending and running): no value, no test.
        Assert.Equal("", rows.Single(r => r[0] == "sld" && r[1] == "4")[header.IndexOf("mean")]);
        Assert.Equal("true", rows.Single(r => r[0] == "lm" && r[1] == "2")[header.IndexOf("baseline")]);

        (code, var json, stderr) = Export("--baseline", "lm,2", "--test", "mapsswe", "--format", "json");
        Assert.True(code == ExitCodes.Success, stderr);
        using var doc = JsonDocument.Parse(json);
        var cells = doc.RootElement.GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(6, cells.Count);
        foreach (var cell in cells.Where(c => c.GetProperty("n").GetInt32() > 0))
        {
            var key = (cell.GetProperty("row").GetString()!, cell.GetProperty("column").GetString()!);
            Assert.Equal(store.Wer[key].Average(), cell.GetProperty("mean").GetDouble(), 9);
            var line = rows.Single(r => r[0] == key.Item1 && r[1] == key.Item2);
            Assert.Equal(double.Parse(line[header.IndexOf("mean")], CultureInfo.InvariantCulture), cell.GetProperty("mean").GetDouble());
        }
    }

    [Fact]
    public void TheCaptionStatesTheResamples()
    {
        var (code, stdout, stderr) = Export("--baseline", "lm,2", "--resamples", "500", "--format", "markdown");
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("paired bootstrap over utterances (500 resamples, seed 0;", stdout);
        Assert.Equal(ExitCodes.InvalidInput, Export("--baseline", "lm,2", "--resamples", "10").code);
    }

    [Theory]
    [InlineData("no sweep 'nope'", "sweeps: sld_vs_lm", "--sweep", "nope")]
    [InlineData("has no axis 'model.dim'", "axes: loss.strategy, model.layers, tokenizer.k", "--cols", "model.dim")]
    [InlineData("not METRIC@TESTSET", "metrics: wer, cer, ser, sub, del, ins", "--metric", "wer")]
    [InlineData("no evaluation on 'dev'", "test sets: test-clean, test-other", "--metric", "wer@dev")]
    [InlineData("model.layers has no value '8'", "values: 2, 4", "--baseline", "lm,8")]
    public void MistakesNameTheChoices(string message, string choices, params string[] args)
    {
        var (code, _, stderr) = Export(args);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(message, stderr);
        Assert.Contains(choices, stderr);
    }

    [Fact]
    public void AVaryingAxisMustBeHeldFixed()
    {
        var (code, _, stderr) = Cli.Capture("export", "--db", store.Database, "--sweep", "sld_vs_lm", "--rows", "loss.strategy", "--cols", "tokenizer.k");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("axis 'model.layers' varies (2, 4)", stderr);
        Assert.Contains("--fix model.layers=VALUE", stderr);

        (code, var stdout, stderr) = Cli.Capture("export", "--db", store.Database, "--sweep", "sld_vs_lm", "--rows", "loss.strategy", "--cols", "tokenizer.k",
            "--fix", "model.layers=4", "--format", "markdown");
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("- Held fixed: model.layers = 4.", stdout);
        Assert.Contains($"|mce|{Cell("mce", "4")}", stdout.Replace("**", "").Replace("<u>", "").Replace("</u>", ""));
    }

    [Fact]
    public void AMissingDatabaseIsInvalidInput()
    {
        var (code, _, stderr) = Cli.Capture("export", "--db", Path.Combine(store.Directory, "absent.db"), "--sweep", "s", "--rows", "a", "--cols", "b");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("absent.db does not exist", stderr);
    }

    [Fact]
    public void ServeRefusesANonLoopbackAddressWithoutAToken()
    {
        var (code, _, stderr) = Cli.Capture("serve", "--db", store.Database, "--urls", "http://0.0.0.0:5999");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("refusing to listen on http://0.0.0.0:5999 without an access token", stderr);

        (code, _, stderr) = Cli.Capture("serve", "--db", store.Database, "--connection", "postgresql://u@localhost/db");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("give --db or --connection, not both", stderr);
    }
}
