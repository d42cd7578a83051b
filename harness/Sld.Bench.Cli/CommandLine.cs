// The command tree of sldbench. Each command group lives in its own file under Commands/ and exposes a
// static Create(); adding a command is adding a file and one line here. Ctrl+C and SIGTERM cancel the
// command's token and the process waits for the command to record what it was doing (a second signal ends
// it at once); an error that escapes a command is one line, never a stack trace.
using System.CommandLine;
using System.Runtime.InteropServices;
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
        using var interrupt = new CancellationTokenSource();
        var signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            // The first signal asks the command to stop cleanly; a second one lets the process die as usual.
            if (Interlocked.Increment(ref signals) > 1) return;
            context.Cancel = true;
            interrupt.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            Sld.Bench.Tensors.TorchRuntime.Prepare(); // before any command touches TorchSharp
            // ProcessTerminationTimeout = null: System.CommandLine would otherwise end the process 2 s after a
            // signal, before a worker has recorded its cell as interrupted.
            var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
            return parse.InvokeAsync(configuration, interrupt.Token).GetAwaiter().GetResult();
        }
        catch (Sld.Bench.Tensors.TorchLoadException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Console.Error.WriteLine("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("SLDBENCH_DEBUG") is "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("(this is a defect of sldbench; SLDBENCH_DEBUG=1 prints where it happened)");
            return ExitCodes.Failure;
        }
    }

}
