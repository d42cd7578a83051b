// `sldbench export`: a paper table from the results store: two axes of a sweep as rows and columns, one metric
// on one test set as mean ± std over seeds with n, best per column bold and second underlined, and with
// --baseline a significance mark per cell (paired bootstrap or MAPSSWE), as LaTeX, Markdown, CSV or JSON.
using System.CommandLine;
using Sld.Bench.Shared.Export;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Cli.Commands;

public static class ExportCommand
{
    public static Command Create()
    {
        var sweep = new Option<string>("--sweep") { Description = "The sweep's name.", Required = true };
        var rows = new Option<string>("--rows") { Description = "The axis whose values are the rows (e.g. loss.strategy).", Required = true };
        var cols = new Option<string>("--cols") { Description = "The axis whose values are the columns (e.g. tokenizer.k).", Required = true };
        var metric = new Option<string>("--metric")
        {
            Description = $"METRIC@TESTSET, METRIC one of {string.Join(", ", SweepTableQuery.Metrics)} (percent, lower is better).",
            DefaultValueFactory = _ => "wer@test-clean",
        };
        var baseline = new Option<string?>("--baseline") { Description = "The cell others are tested against: ROW,COLUMN or AXIS=VALUE,AXIS=VALUE." };
        var fix = new Option<string[]>("--fix") { Description = "Hold another varying axis at one value: AXIS=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
        var test = new Option<string>("--test") { Description = "Significance test against the baseline: bootstrap (paired, 95% interval) or mapsswe.", DefaultValueFactory = _ => "bootstrap" };
        test.AcceptOnlyFromAmong("bootstrap", "mapsswe");
        var resamples = new Option<int>("--resamples")
        {
            Description = "Bootstrap resamples per cell (the caption states them).",
            DefaultValueFactory = _ => Sld.Bench.Shared.Statistics.PairedBootstrap.DefaultResamples,
        };
        resamples.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 100) r.AddError("--resamples must be at least 100"); });
        var format = new Option<string>("--format") { Description = "latex (booktabs), markdown, csv or json.", DefaultValueFactory = _ => "latex" };
        format.AcceptOnlyFromAmong("latex", "markdown", "csv", "json");
        var standalone = new Option<bool>("--standalone") { Description = "LaTeX: a whole document that pdflatex compiles on its own." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the table to this file instead of standard output." };
        var database = new ResultsDatabaseOptions();

        var command = new Command("export", "Export a sweep as a paper table: mean ± std over seeds, best in bold, significance against a baseline.")
        {
            sweep, rows, cols, metric, baseline, fix, test, resamples, format, standalone, output,
        };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var fixedValues = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var f in parse.GetValue(fix) ?? [])
            {
                var eq = f.IndexOf('=');
                if (eq <= 0) return Fail($"--fix {f}: expected AXIS=VALUE");
                fixedValues[f[..eq]] = f[(eq + 1)..];
            }
            var request = new SweepTableRequest
            {
                Sweep = parse.GetValue(sweep)!,
                RowAxis = parse.GetValue(rows)!,
                ColumnAxis = parse.GetValue(cols)!,
                Metric = parse.GetValue(metric)!,
                Baseline = parse.GetValue(baseline),
                Fixed = fixedValues,
                Significance = new SignificanceOptions(parse.GetValue(test) == "mapsswe" ? SignificanceTestKind.MatchedPairs : SignificanceTestKind.PairedBootstrap,
                    Resamples: parse.GetValue(resamples)),
            };
            var tableFormat = Enum.Parse<TableFormat>(parse.GetValue(format)!, ignoreCase: true);
            return await RunAsync(database.Resolve(parse), request, tableFormat, parse.GetValue(standalone), parse.GetValue(output), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(string location, SweepTableRequest request, TableFormat format, bool standalone, FileInfo? output, CancellationToken ct)
    {
        string text;
        try
        {
            if (output is not null && StoreLocation.Parse(location).SqliteFile is { } database)
                OutputGuard.NotAnInput("--output", output.FullName, ("results database", database));
            await using var store = await ResultsStore.OpenReadOnlyAsync(location, ct);
            var table = ComputedTable.Compute(await SweepTableQuery.BuildAsync(store, request, ct));
            text = format == TableFormat.Latex && standalone ? LatexTableWriter.Standalone(table) : TableWriters.Write(table, format);
        }
        catch (Exception e) when (e is TableRequestException or IOException or ArgumentException)
        {
            return Fail(e.Message);
        }
        if (output is null)
        {
            Console.Out.Write(text);
            return ExitCodes.Success;
        }
        try
        {
            if (output.DirectoryName is { } dir) Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(output.FullName, text, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot write {output.FullName}: {e.Message}");
        }
        Console.Error.WriteLine($"wrote {output.FullName}");
        return ExitCodes.Success;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.InvalidInput;
    }
}
