// `sldbench runs list|show`: the runs of a sweep as a leaderboard (axes, status, WER per test set, best first)
// and one run in full (resolved config, provenance, stage times, per test set the sclite-style numbers).
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Shared.Storage;
using Spectre.Console;

namespace Sld.Bench.Cli.Commands;

public static class RunsCommand
{
    public static Command Create()
    {
        var command = new Command("runs", "List the runs of a sweep, or show one run.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command List()
    {
        var sweep = new Argument<string?>("sweep") { Description = "Sweep name (default: every sweep).", Arity = ArgumentArity.ZeroOrOne };
        var db = new ResultsDatabaseOptions();
        var command = new Command("list", "Every run of a sweep with its axes, status and WER per test set, best first.") { sweep };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await SweepCommand.Guarded(async () =>
        {
            var location = db.Resolve(parse);
            if (!SweepCommand.StoreExists(location)) throw new ArgumentException($"no results store at {location}");
            await using var store = await ResultsStore.OpenReadOnlyAsync(location, cancel);
            var sweeps = await store.ListSweepsAsync(cancel);
            var wanted = parse.GetValue(sweep);
            if (wanted is not null && sweeps.All(s => s.Name != wanted))
                throw new ArgumentException($"no sweep named '{wanted}' in {location}; it has {string.Join(", ", sweeps.Select(s => s.Name))}");
            foreach (var s in sweeps.Where(s => wanted is null || s.Name == wanted))
                await PrintLeaderboardAsync(store, s.Name, cancel);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<long>("run") { Description = "Run id (the first column of `runs list`)." };
        var db = new ResultsDatabaseOptions();
        var command = new Command("show", "One run: config, provenance, stage times and its evaluations.") { id };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await SweepCommand.Guarded(async () =>
        {
            var location = db.Resolve(parse);
            if (!SweepCommand.StoreExists(location)) throw new ArgumentException($"no results store at {location}");
            await using var store = await ResultsStore.OpenReadOnlyAsync(location, cancel);
            var run = await store.GetRunAsync(parse.GetValue(id), cancel) ?? throw new ArgumentException($"no run {parse.GetValue(id)} in {location}");
            Console.WriteLine($"run {run.Id}: cell #{run.Index} {run.ConfigHash} {SweepCommand.Axes(run)}");
            Console.WriteLine($"  status      {run.Status.ToString().ToLowerInvariant()}{(run.DivergedStep is { } d ? $" at step {d}" : "")}{(run.Error is { } e ? $": {e}" : "")}");
            Console.WriteLine($"  attempts    {run.Attempts}; started {run.StartedAt:u}, ended {run.EndedAt:u}");
            Console.WriteLine($"  provenance  git {run.GitCommit ?? "?"}, {run.Machine}, {run.Device}, libtorch {run.LibtorchVersion}, {run.ParameterCount:N0} parameters");
            Console.WriteLine($"  data {run.DataHash}, tokenizer {run.TokenizerHash ?? "(none)"}; stage seconds {run.DurationsJson}");
            foreach (var ev in await store.GetEvaluationsAsync(run.Id, cancel))
                Console.WriteLine($"  {ev.TestSet,-16} %WER {ev.Wer * 100:0.00} [ {ev.Substitutions + ev.Deletions + ev.Insertions} / {ev.RefWords}, " +
                                  $"{ev.Insertions} ins, {ev.Deletions} del, {ev.Substitutions} sub ]  CER {ev.Cer * 100:0.00}%  ({ev.Sentences} utterances)");
            Console.WriteLine("  config " + run.ConfigJson);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The sweep's runs as a table: best WER on the first test set first, runs without results last.</summary>
    public static async Task PrintLeaderboardAsync(ResultsStore store, string sweepName, CancellationToken cancel)
    {
        var sweep = await store.GetSweepAsync(sweepName, cancel);
        if (sweep is null) return;
        var runs = await store.ListRunsAsync(sweep.Id, ct: cancel);
        var evaluations = new Dictionary<long, Dictionary<string, Evaluation>>();
        foreach (var r in runs)
            evaluations[r.Id] = (await store.GetEvaluationsAsync(r.Id, cancel)).ToDictionary(e => e.TestSet, StringComparer.Ordinal);
        var testSets = evaluations.Values.SelectMany(e => e.Keys).Distinct(StringComparer.Ordinal).ToList();
        var axes = runs.SelectMany(r => AxisValues(r).Keys).Distinct(StringComparer.Ordinal).ToList();
        var table = new Table { Title = new TableTitle($"{sweep.Name}: %WER per test set (lower is better)") };
        table.AddColumn("run");
        foreach (var a in axes) table.AddColumn(Markup.Escape(a));
        table.AddColumn("status");
        foreach (var t in testSets) table.AddColumn(new TableColumn(Markup.Escape(t)).RightAligned());
        var first = testSets.FirstOrDefault();
        foreach (var r in runs.OrderBy(r => first is not null && evaluations[r.Id].TryGetValue(first, out var e) ? e.Wer : double.MaxValue).ThenBy(r => r.Index))
        {
            var values = AxisValues(r);
            var row = new List<string> { r.Id.ToString(CultureInfo.InvariantCulture) };
            row.AddRange(axes.Select(a => Markup.Escape(values.TryGetValue(a, out var v) ? v : "-")));
            row.Add(r.Status.ToString().ToLowerInvariant());
            row.AddRange(testSets.Select(t => evaluations[r.Id].TryGetValue(t, out var e) ? (e.Wer * 100).ToString("0.00", CultureInfo.InvariantCulture) : "-"));
            table.AddRow(row.ToArray());
        }
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }).Write(table); // the console of now (tests swap it)
    }

    /// <summary>The run's axis values in axis order, as text (strings bare, everything else as JSON).</summary>
    internal static Dictionary<string, string> AxisValues(Run run)
    {
        using var doc = JsonDocument.Parse(run.AxesJson);
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);
    }
}
