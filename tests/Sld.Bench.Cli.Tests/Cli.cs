// Runs sldbench in-process with captured standard output and error (tests that capture the console share one
// collection so their output does not interleave), or as a child process for tests that kill it or need it alone.
using System.Diagnostics;
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

/// <summary>sldbench as a child process (`dotnet sldbench.dll ARGS`), its output captured.</summary>
internal static class CliProcess
{
    public static ProcessStartInfo Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs to the end and returns the exit code and standard output and error interleaved; -1 when it ran past <paramref name="limit"/>.</summary>
    public static (int code, string output) Run(IEnumerable<string> args, TimeSpan limit)
    {
        using var child = Process.Start(Start(args))!;
        var output = new System.Text.StringBuilder();
        child.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        if (!child.WaitForExit(limit))
        {
            child.Kill(entireProcessTree: true);
            return (-1, "timed out:\n" + output);
        }
        child.WaitForExit();
        return (child.ExitCode, output.ToString());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
