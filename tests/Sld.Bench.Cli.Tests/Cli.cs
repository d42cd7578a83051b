// Runs sldbench in-process with captured standard output and error. Tests that capture the console share
// one collection so their output does not interleave.
using Sld.Bench.Cli;

namespace Sld.Bench.Cli.Tests;

internal static class Cli
{
    public static (int code, string stdout, string stderr) Capture(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var code = CommandLine.Run(args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
