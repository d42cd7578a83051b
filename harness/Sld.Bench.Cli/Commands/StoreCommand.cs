// `sldbench store migrate|backup`: the results store's upkeep. `migrate` lists and applies the schema migrations
// this build brings (writers also apply them when they open the store; this makes the upgrade a step of its own,
// after a backup); `backup` writes a consistent copy of a SQLite store while workers may be writing.
using System.CommandLine;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Cli.Commands;

public static class StoreCommand
{
    public static Command Create()
    {
        var command = new Command("store", "Upkeep of the results store: schema migrations and backups.");
        command.Subcommands.Add(Migrate());
        command.Subcommands.Add(Backup());
        return command;
    }

    private static Command Migrate()
    {
        var check = new Option<bool>("--check") { Description = "Only list the pending migrations; exit 1 when there are any." };
        var db = new ResultsDatabaseOptions();
        var command = new Command("migrate", "Apply the schema migrations this build has and the store lacks (existing results are kept).") { check };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await SweepCommand.Guarded(async () =>
        {
            var location = db.Resolve(parse);
            IReadOnlyList<string> applied = [], pending;
            if (SweepCommand.StoreExists(location))
            {
                await using var current = await ResultsStore.OpenReadOnlyAsync(location, cancel);
                applied = await current.AppliedMigrationsAsync(cancel);
                pending = await current.PendingMigrationsAsync(cancel);
            }
            else
            {
                pending = ["(the whole schema: the SQLite file does not exist yet)"];
            }
            var name = StoreLocation.Parse(location).ToString();
            Console.WriteLine($"{name}: {applied.Count} migrations applied{(applied.Count > 0 ? $" (latest {applied[^1]})" : "")}, {pending.Count} pending{(pending.Count > 0 ? ": " + string.Join(", ", pending) : "")}");
            if (parse.GetValue(check)) return pending.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
            if (pending.Count == 0) return ExitCodes.Success;
            if (StoreLocation.Parse(location).SqliteFile is { } file && Path.GetDirectoryName(file) is { } dir) Directory.CreateDirectory(dir);
            await using (var store = await ResultsStore.OpenAsync(location, ct: cancel))
                Console.WriteLine($"{name}: migrated; latest migration now {(await store.AppliedMigrationsAsync(cancel))[^1]}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Backup()
    {
        var output = new Argument<FileInfo>("output") { Description = "The backup file to write (never overwritten)." };
        var db = new ResultsDatabaseOptions();
        var command = new Command("backup", "Write a consistent copy of a SQLite results store (safe while workers write); PostgreSQL: pg_dump.") { output };
        db.AddTo(command);
        command.SetAction(async (parse, cancel) => await SweepCommand.Guarded(async () =>
        {
            var location = db.Resolve(parse);
            if (!SweepCommand.StoreExists(location)) throw new FileNotFoundException($"no results store at {location}");
            await using var store = await ResultsStore.OpenReadOnlyAsync(location, cancel);
            var target = parse.GetValue(output)!.FullName;
            await store.BackupSqliteAsync(target, cancel);
            Console.WriteLine($"{store.Location}: backed up to {target} ({new FileInfo(target).Length:N0} bytes)");
            return ExitCodes.Success;
        }));
        return command;
    }
}
