// `sldbench sweep plan|run|submit|worker|status|resume`: expand a YAML sweep (every cell bound strictly before
// anything runs), store it, and work through its cells with worker processes on this machine, a Slurm array job,
// or long-lived workers (containers) that run whatever is submitted. Cells are identified by config hash, so
// running a sweep again runs only what is not done yet.
using System.CommandLine;
using System.Globalization;
using Sld.Bench.Experiments;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Sweeps;
using Spectre.Console;

namespace Sld.Bench.Cli.Commands;

public static class SweepCommand
{
    public const string DefaultDatabase = "results/sldbench.db";
    public const string DefaultOutput = "results";

    /// <summary>How often an idle `sweep worker --wait` asks the store for new cells.</summary>
    public static readonly TimeSpan WaitForWorkEvery = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var command = new Command("sweep", "Plan, run, resume and inspect YAML sweeps.");
        command.Subcommands.Add(Plan());
        command.Subcommands.Add(RunCommand());
        command.Subcommands.Add(Submit());
        command.Subcommands.Add(Worker());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Resume());
        return command;
    }

    private static Option<string?> OutputOption() => new("--out")
    {
        Description = $"Folder for run directories (runs/<sweep>/<hash>) and shared artifacts (work/: corpora, features, tokenizers). " +
            $"Default: where the store says the sweep ran before, else {DefaultOutput}.",
    };

    /// <summary>
    /// The sweep's output folder: --out when given, else the one the store recorded for the sweep, else (for a
    /// sweep never run) <paramref name="fallback"/>. Null when there is none.
    /// </summary>
    private static string? OutputRoot(string? given, Sweep? sweep, string? fallback) =>
        given is not null ? Path.GetFullPath(given) : sweep?.OutputRoot ?? (fallback is null ? null : Path.GetFullPath(fallback));

    private static Option<string[]> SetOption() => new("--set")
    {
        Description = "Override a config value: --set train.lr=1e-4 (YAML value; a bare group name picks a group option).",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "libtorch threads per worker (default: cores / workers).",
    };

    private static Option<long> CellLimitOption() => new("--cell-limit")
    {
        Description = $"Refuse a sweep with more cells than this (counted before any cell is built; default {ExperimentFile.DefaultMaxCells:N0}).",
        DefaultValueFactory = _ => ExperimentFile.DefaultMaxCells,
    };

    private static Argument<FileInfo> FileArgument() => new("file") { Description = "The experiment YAML file (with a sweep: block, or a single run)." };

    private static Command Plan()
    {
        var file = FileArgument();
        var set = SetOption();
        var cellLimit = CellLimitOption();
        var db = new ResultsDatabaseOptions();
        var command = new Command("plan", "Expand a sweep, check every cell's config, and show the grid with what is already done.") { file, set, cellLimit };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await Guarded(async () =>
        {
            var plan = Expand(parse.GetValue(file)!, parse.GetValue(set), parse.GetValue(cellLimit));
            var status = new Dictionary<string, Run>(StringComparer.Ordinal);
            var location = db.Resolve(parse);
            if (StoreExists(location))
            {
                await using var store = await ResultsStore.OpenReadOnlyAsync(location, cancel);
                if (await store.GetSweepAsync(plan.Name, cancel) is { } sweep)
                    foreach (var r in await store.ListRunsAsync(sweep.Id, ct: cancel)) status[r.ConfigHash] = r;
            }
            Console.WriteLine($"sweep {plan.Name} ({plan.File}): {plan.Cells.Count} cells, plan {plan.PlanHash}");
            foreach (var axis in plan.Axes) Console.WriteLine($"  axis {axis.Name}: {string.Join(", ", axis.Values)}{(axis.Kind == SweepAxisKind.Grid ? "" : $" ({axis.Kind.ToString().ToLowerInvariant()})")}{(axis.Condition is { } c ? $" when {c}" : "")}");
            var table = new Table().AddColumns("#", "hash", "cell", "status");
            foreach (var cell in plan.Cells)
                table.AddRow(cell.Index.ToString(CultureInfo.InvariantCulture), cell.Hash, Markup.Escape(cell.Describe()),
                    status.TryGetValue(cell.Hash, out var r) ? r.Status.ToString().ToLowerInvariant() : "new");
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }).Write(table);
            var done = plan.Cells.Count(c => status.TryGetValue(c.Hash, out var r) && r.Status == RunStatus.Done);
            Console.WriteLine($"{done} of {plan.Cells.Count} cells done; `sldbench sweep run {parse.GetValue(file)!.Name}` runs the rest");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command RunCommand()
    {
        var file = FileArgument();
        var set = SetOption();
        var db = new ResultsDatabaseOptions();
        var output = OutputOption();
        var workers = new Option<int>("--workers") { Description = "Worker processes on this machine.", DefaultValueFactory = _ => 1 };
        var threads = ThreadsOption();
        var slurm = new Option<bool>("--slurm") { Description = "Submit the workers as a Slurm array job instead of running them here." };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var time = new Option<string>("--time") { Description = "Slurm time limit per task.", DefaultValueFactory = _ => "24:00:00" };
        var gres = new Option<string?>("--gres") { Description = "Slurm generic resources per task, e.g. gpu:1." };
        var cellLimit = CellLimitOption();
        var command = new Command("run", "Store a sweep's cells and run those not done yet.")
        {
            file, set, output, workers, threads, slurm, partition, time, gres, cellLimit,
        };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await Guarded(async () =>
        {
            var plan = Expand(parse.GetValue(file)!, parse.GetValue(set), parse.GetValue(cellLimit));
            var location = db.Resolve(parse);
            EnsureFolderOf(location);
            string outputRoot;
            await using (var store = await ResultsStore.OpenAsync(location, ct: cancel))
            {
                var known = await store.GetSweepAsync(plan.Name, cancel);
                outputRoot = OutputRoot(parse.GetValue(output), known, DefaultOutput)!;
                if (known?.OutputRoot is { } before && before != outputRoot)
                    Console.WriteLine($"note: sweep {plan.Name} ran in {before} before; its output folder is now {outputRoot}");
                var upsert = await store.UpsertPlanAsync(plan, cancel);
                await store.SetOutputRootAsync(upsert.SweepId, outputRoot, cancel);
                Console.WriteLine($"sweep {plan.Name}: {plan.Cells.Count} cells ({upsert.Added} new, {upsert.Existing} known{(upsert.Retired > 0 ? $", {upsert.Retired} no longer in the plan" : "")})");
            }
            var n = Math.Max(1, parse.GetValue(workers));
            var command = new WorkerCommand(plan.Name, location, outputRoot, ThreadsFor(parse.GetValue(threads), n));
            if (parse.GetValue(slurm))
            {
                var id = await SlurmExecutor.SubmitAsync(command, new SlurmOptions
                {
                    Tasks = n, Partition = parse.GetValue(partition), TimeLimit = parse.GetValue(time)!, Gres = parse.GetValue(gres), CpusPerTask = command.Threads,
                }, cancel);
                Console.WriteLine($"submitted Slurm array job {id} ({n} tasks); follow it with `sldbench sweep status {plan.Name} --db {location}`");
                return ExitCodes.Success;
            }
            return await RunWorkersAsync(command, n, cancel);
        }));
        return command;
    }

    private static Command Submit()
    {
        var file = FileArgument();
        var set = SetOption();
        var db = new ResultsDatabaseOptions();
        var retryFailed = new Option<bool>("--retry-failed") { Description = "Also requeue failed cells." };
        var retryDiverged = new Option<bool>("--retry-diverged") { Description = "Also requeue diverged cells." };
        var command = new Command("submit",
            "Store a sweep's cells and requeue its interrupted ones without running anything: long-lived workers (`sweep worker --wait`) claim them.")
        {
            file, set, retryFailed, retryDiverged,
        };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await Guarded(async () =>
        {
            var plan = Expand(parse.GetValue(file)!, parse.GetValue(set));
            var location = db.Resolve(parse);
            EnsureFolderOf(location);
            await using var store = await ResultsStore.OpenAsync(location, ct: cancel);
            var upsert = await store.UpsertPlanAsync(plan, cancel);
            var sweep = await store.GetSweepAsync(plan.Name, cancel) ?? throw new InvalidOperationException($"sweep {plan.Name} was not stored in {store.Location}");
            var reset = await store.ResetForResumeAsync(sweep.Id, new ResumeOptions
            {
                RetryFailed = parse.GetValue(retryFailed), RetryDiverged = parse.GetValue(retryDiverged),
            }, ct: cancel);
            var counts = await store.GetStatusCountsAsync(sweep.Id, cancel);
            Console.WriteLine($"sweep {plan.Name}: {plan.Cells.Count} cells ({upsert.Added} new, {upsert.Existing} known{(upsert.Retired > 0 ? $", {upsert.Retired} no longer in the plan" : "")}); " +
                $"requeued {reset.Cancelled} interrupted, {reset.Failed} failed, {reset.Diverged} diverged, {reset.Reclaimed} abandoned cells");
            Console.WriteLine($"{counts.GetValueOrDefault(RunStatus.Pending)} cells wait for a worker (`sldbench sweep worker --wait`), " +
                $"{counts.GetValueOrDefault(RunStatus.Done)} are done; follow them with `sldbench sweep status {plan.Name}`");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Worker()
    {
        var sweep = new Option<string?>("--sweep") { Description = "Name of a stored sweep (default: every stored sweep, oldest first)." };
        var db = new ResultsDatabaseOptions();
        var output = OutputOption();
        var threads = ThreadsOption();
        var maxCells = new Option<int?>("--max-cells") { Description = "Stop after this many cells." };
        var wait = new Option<bool>("--wait")
        {
            Description = $"When no cell is pending, look again every {WaitForWorkEvery.TotalSeconds:F0} s instead of stopping (a service that runs whatever `sweep submit` stores; SIGTERM stops it).",
        };
        var command = new Command("worker", "Claim and run cells of a stored sweep until none is left (what `run` starts, locally or on Slurm).")
        {
            sweep, output, threads, maxCells, wait,
        };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await Guarded(async () =>
        {
            var threadCount = ThreadsFor(parse.GetValue(threads), 1);
            var waiting = parse.GetValue(wait);
            var location = db.Resolve(parse);
            if (!waiting && !StoreExists(location)) return Fail($"no results store at {location}");
            if (waiting) EnsureFolderOf(location);
            await using var store = await ResultsStore.OpenAsync(location, ct: cancel);
            var name = parse.GetValue(sweep);
            string outputRoot;
            if (name is null || waiting)
                outputRoot = OutputRoot(parse.GetValue(output), name is null ? null : await store.GetSweepAsync(name, cancel), null)
                    ?? throw new ArgumentException("a worker that serves every sweep, or waits for one to be submitted, needs --out (where run folders and shared artifacts go)");
            else
            {
                var stored = await store.GetSweepAsync(name, cancel) ?? throw new ArgumentException($"no sweep named '{name}' in {location}");
                outputRoot = OutputRoot(parse.GetValue(output), stored, null)
                    ?? throw new ArgumentException($"the store does not record where sweep {name}'s files are; give --out");
            }
            var worker = new SweepWorker(store, new AsrCellRunner(), new WorkerOptions
            {
                OutputRoot = outputRoot, Threads = threadCount, MaxCells = parse.GetValue(maxCells),
                WaitForWork = waiting ? WaitForWorkEvery : null,
            }, message => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {message}"));
            var summary = await worker.RunAsync(name, cancel);
            Console.WriteLine($"worker finished: {summary.Done} done, {summary.Failed} failed, {summary.Diverged} diverged, {summary.Cancelled} interrupted");
            // A waiting worker stopped between cells interrupted nothing: that is how a service ends.
            if (waiting && summary.Cancelled == 0 && summary.StoppedBecause is null && summary.Failed + summary.Diverged == 0) return ExitCodes.Success;
            return ExitCode(summary, cancel);
        }));
        return command;
    }

    private static Command Status()
    {
        var name = new Argument<string?>("sweep") { Description = "A sweep name or its YAML file (default: every sweep).", Arity = ArgumentArity.ZeroOrOne };
        var db = new ResultsDatabaseOptions();
        var command = new Command("status", "Show each sweep's cells by status, with the errors of failed and diverged ones.") { name };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await Guarded(async () =>
        {
            var location = db.Resolve(parse);
            if (!StoreExists(location)) return Fail($"no results store at {location}");
            await using var store = await ResultsStore.OpenReadOnlyAsync(location, cancel);
            var sweeps = await store.ListSweepsAsync(cancel);
            var wanted = parse.GetValue(name) is { } n ? SweepName(n) : null;
            if (wanted is not null && sweeps.All(s => s.Name != wanted)) return Fail($"no sweep named '{wanted}' in {location}; it has {string.Join(", ", sweeps.Select(s => s.Name))}");
            foreach (var s in sweeps.Where(s => wanted is null || s.Name == wanted))
            {
                var counts = string.Join(", ", Enum.GetValues<RunStatus>().Where(st => s.Count(st) > 0).Select(st => $"{s.Count(st)} {st.ToString().ToLowerInvariant()}"));
                Console.WriteLine($"{s.Name}: {s.CellCount} cells: {counts}");
                foreach (var r in await store.ListRunsAsync(s.Id, ct: cancel))
                {
                    if (r.Status is RunStatus.Failed or RunStatus.Diverged or RunStatus.Running or RunStatus.Cancelled)
                        Console.WriteLine($"  #{r.Index} {r.ConfigHash} {Axes(r)}: {r.Status.ToString().ToLowerInvariant()}" +
                            (r.Status == RunStatus.Diverged ? $" at step {r.DivergedStep}" : "") + (r.Error is { } e ? $": {e}" : "") +
                            (r.Status == RunStatus.Running ? $" on {r.ClaimedByHost}:{r.ClaimedByPid} (heartbeat {r.HeartbeatAt:HH:mm:ss} UTC)" : ""));
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Resume()
    {
        var name = new Argument<string>("sweep") { Description = "A sweep name or its YAML file." };
        var db = new ResultsDatabaseOptions();
        var output = OutputOption();
        var workers = new Option<int>("--workers") { Description = "Worker processes on this machine.", DefaultValueFactory = _ => 1 };
        var threads = ThreadsOption();
        var retryFailed = new Option<bool>("--retry-failed") { Description = "Also rerun failed cells." };
        var retryDiverged = new Option<bool>("--retry-diverged") { Description = "Also rerun diverged cells." };
        var command = new Command("resume", "Requeue interrupted cells (and, on request, failed or diverged ones) and run every cell not done, each from its last checkpoint.")
        {
            name, output, workers, threads, retryFailed, retryDiverged,
        };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await Guarded(async () =>
        {
            var location = db.Resolve(parse);
            if (!StoreExists(location)) return Fail($"no results store at {location}");
            var sweepName = SweepName(parse.GetValue(name)!);
            string outputRoot;
            await using (var store = await ResultsStore.OpenAsync(location, ct: cancel))
            {
                var sweep = await store.GetSweepAsync(sweepName, cancel) ?? throw new ArgumentException($"no sweep named '{sweepName}' in {location}");
                outputRoot = OutputRoot(parse.GetValue(output), sweep, null)
                    ?? throw new ArgumentException($"the store does not record where sweep {sweepName}'s files are (it was run by an older sldbench); give --out with the folder `sweep run` used");
                if (!Directory.Exists(outputRoot))
                    throw new ArgumentException($"sweep {sweepName}'s output folder {outputRoot} does not exist (moved or deleted?); give its place with --out");
                if (parse.GetValue(output) is not null && sweep.OutputRoot != outputRoot) await store.SetOutputRootAsync(sweep.Id, outputRoot, cancel);
                var reset = await store.ResetForResumeAsync(sweep.Id, new ResumeOptions
                {
                    RetryFailed = parse.GetValue(retryFailed), RetryDiverged = parse.GetValue(retryDiverged),
                }, ct: cancel);
                Console.WriteLine($"sweep {sweepName}: requeued {reset.Cancelled} interrupted, {reset.Failed} failed, {reset.Diverged} diverged, {reset.Reclaimed} abandoned cells");
            }
            var n = Math.Max(1, parse.GetValue(workers));
            return await RunWorkersAsync(new WorkerCommand(sweepName, location, outputRoot, ThreadsFor(parse.GetValue(threads), n)), n, cancel);
        }));
        return command;
    }

    /// <summary>One worker runs in this process (its progress on this console); several run as child processes.</summary>
    private static async Task<int> RunWorkersAsync(WorkerCommand command, int workers, CancellationToken cancel)
    {
        int code;
        if (workers == 1)
        {
            await using var store = await ResultsStore.OpenAsync(command.Database, ct: cancel);
            var worker = new SweepWorker(store, new AsrCellRunner(), new WorkerOptions { OutputRoot = command.OutputRoot, Threads = command.Threads },
                message => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {message}"));
            var summary = await worker.RunAsync(command.SweepName, cancel);
            code = ExitCode(summary, cancel);
        }
        else
        {
            var failedWorkers = await WorkerProcesses.RunAsync(command, workers, message => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {message}"), cancel);
            code = cancel.IsCancellationRequested ? ExitCodes.Interrupted : failedWorkers > 0 ? ExitCodes.Failure : ExitCodes.Success;
        }
        await using (var store = await ResultsStore.OpenReadOnlyAsync(command.Database, CancellationToken.None))
            await RunsCommand.PrintLeaderboardAsync(store, command.SweepName, CancellationToken.None);
        if (code == ExitCodes.Interrupted)
            Console.Error.WriteLine($"interrupted; `sldbench sweep resume {command.SweepName} --db {command.Database}` continues from the last checkpoints");
        return code;
    }

    /// <summary>Interrupted (130), a worker that had to stop with cells left (1, its reason on stderr), a failed or diverged cell (1), or success.</summary>
    private static int ExitCode(WorkerSummary summary, CancellationToken cancel)
    {
        if (cancel.IsCancellationRequested || summary.Cancelled > 0) return ExitCodes.Interrupted;
        if (summary.StoppedBecause is { } why)
        {
            Console.Error.WriteLine($"error: the worker stopped with cells left pending: {why}");
            return ExitCodes.Failure;
        }
        return summary.Failed + summary.Diverged > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>Expands the sweep and binds every cell, so a config error stops before any work with file:line:column.</summary>
    internal static SweepPlan Expand(FileInfo file, string[]? sets, long cellLimit = ExperimentFile.DefaultMaxCells)
    {
        if (!file.Exists) throw new FileNotFoundException($"experiment file {file.FullName} does not exist", file.FullName);
        if (cellLimit < 1) throw new ArgumentException($"--cell-limit must be at least 1, not {cellLimit}");
        var plan = ExperimentFile.Load(file.FullName).Expand(ConfigOverride.ParseAll(sets ?? []), cellLimit);
        foreach (var cell in plan.Cells)
        {
            var config = AsrCellRunner.Bind(cell.Config);
            try
            {
                config.Features.Validate();
                config.Tokenizer.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"cell #{cell.Index} ({cell.Describe()}): {e.Message}", e);
            }
        }
        return plan;
    }

    private static string SweepName(string nameOrFile) =>
        nameOrFile.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrFile.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            ? ExperimentFile.Load(nameOrFile).Name
            : nameOrFile;

    internal static string Axes(Run run) => string.Join(" ", RunsCommand.AxisValues(run).Select(a => $"{a.Key}={a.Value}"));

    private static int ThreadsFor(int requested, int workers) => requested > 0 ? requested : Math.Max(1, Environment.ProcessorCount / workers);

    /// <summary>False only for a SQLite file that is not there (a server database is assumed to exist).</summary>
    internal static bool StoreExists(string location) => StoreLocation.Parse(location).SqliteFile is not { } file || File.Exists(file);

    private static void EnsureFolderOf(string location)
    {
        if (StoreLocation.Parse(location).SqliteFile is { } file && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir) Directory.CreateDirectory(dir);
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.InvalidInput;
    }

    /// <summary>Input errors become exit code 2 with one line; an interruption becomes 130.</summary>
    internal static async Task<int> Guarded(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted; everything recorded so far is kept");
            return ExitCodes.Interrupted;
        }
        catch (ConfigException e)
        {
            return Fail(e.Message);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Fail(e.Message);
        }
        catch (System.Data.Common.DbException e)
        {
            return Fail(e.Message);
        }
    }
}
