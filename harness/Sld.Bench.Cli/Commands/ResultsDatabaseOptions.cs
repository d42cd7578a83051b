// The two ways every command names the results database: --db PATH (a SQLite file, default
// results/sldbench.db or SLDBENCH_DB) or --connection STR (a postgresql:// URL or a connection string of either provider).
using System.CommandLine;

namespace Sld.Bench.Cli.Commands;

internal sealed class ResultsDatabaseOptions
{
    public const string DefaultFile = SweepCommand.DefaultDatabase;

    public Option<string?> Database { get; } = new("--db") { Description = $"The results database, a SQLite file (default {DefaultFile}; also SLDBENCH_DB)." };

    public Option<string?> Connection { get; } = new("--connection") { Description = "A PostgreSQL URL (postgresql://user:pass@host:port/db) or connection string instead of --db." };

    public void AddTo(Command command)
    {
        command.Options.Add(Database);
        command.Options.Add(Connection);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Database) is not null && result.GetValue(Connection) is not null)
                result.AddError("give --db or --connection, not both");
        });
    }

    /// <summary>The store location: --connection, else --db, else SLDBENCH_DB, else results/sldbench.db.</summary>
    public string Resolve(ParseResult parse) =>
        parse.GetValue(Connection) ?? parse.GetValue(Database) ?? Environment.GetEnvironmentVariable("SLDBENCH_DB") ?? DefaultFile;
}
