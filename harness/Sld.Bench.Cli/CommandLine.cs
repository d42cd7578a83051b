// The command tree of sldbench. Each command group lives in its own file under Commands/ and exposes a
// static Create(); adding a command is adding a file and one line here.
using System.CommandLine;
using Sld.Bench.Cli.Commands;

namespace Sld.Bench.Cli;

/// <summary>Exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The work ran and failed (a failed run, a diverged cell, a failed test of a score).</summary>
    public const int Failure = 1;

    /// <summary>The input was wrong: bad arguments, a malformed config, a missing or corrupt file.</summary>
    public const int InvalidInput = 2;

    /// <summary>Interrupted by Ctrl+C or SIGTERM; whatever was recorded so far is kept.</summary>
    public const int Interrupted = 130;
}

public static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Sld.Bench: speech recognition on discrete speech tokens, from YAML sweeps to paper tables.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(CorpusCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(RunsCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(StoreCommand.Create());
        return root;
    }

    public static int Run(string[] args)
    {
        // Worker processes and Slurm tasks start this CLI again: say how when the host is not sldbench itself.
        var process = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(process) != "sldbench")
            Sld.Bench.Sweeps.WorkerProcesses.Override = (Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet", [typeof(CommandLine).Assembly.Location]);
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run with --help for usage.");
            return ExitCodes.InvalidInput;
        }
        try
        {
            Sld.Bench.Tensors.TorchRuntime.Prepare(); // before any command touches TorchSharp
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TerminationGrace });
        }
        catch (Sld.Bench.Tensors.TorchLoadException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Unhandled exception: {e}"); // what System.CommandLine's own handler prints
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// How long Ctrl+C or SIGTERM waits for the command to wind down (a worker finishes its training step and marks
    /// its cell interrupted) before the process ends anyway. System.CommandLine's default, 2 s, is too short on a
    /// loaded machine; this stays under Slurm's default KillWait (30 s) and compose's stop_grace_period for workers.
    /// </summary>
    public static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(25);
}
