// Runs the external reference tools of the scoring and export tests (NIST sctk, pdflatex). The README's test
// command installs them with apt, so a missing tool fails the test with the install command, never a skip.
using System.Diagnostics;

namespace Sld.Bench.Testing;

public static class ExternalTool
{
    public const string Sctk = "/usr/bin/sctk";

    public const string Pdflatex = "/usr/bin/pdflatex";

    private static readonly Dictionary<string, string> Packages = new()
    {
        [Sctk] = "sctk",
        [Pdflatex] = "texlive-latex-extra",
    };

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs a tool and returns its exit code, stdout and stderr; throws if it is missing or hangs.</summary>
    public static (int exitCode, string stdout, string stderr) Run(
        string tool, IEnumerable<string> args, string? workingDirectory = null, string? stdin = null)
    {
        if (!File.Exists(tool))
            throw new InvalidOperationException($"{tool} is missing; install it with: sudo apt-get install -y {Packages.GetValueOrDefault(tool, Path.GetFileName(tool))}");
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin != null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within {Timeout.TotalMinutes} minutes");
        }
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs `sctk PROGRAM args...` and returns stdout; throws with both streams on a non-zero exit.</summary>
    public static string RunSctk(string program, params string[] args) => RunSctkIn(null, null, program, args);

    /// <summary>Runs `sctk PROGRAM args...` in a directory, feeding <paramref name="stdin"/>; returns stdout.</summary>
    public static string RunSctkIn(string? workingDirectory, string? stdin, string program, params string[] args)
    {
        var (code, stdout, stderr) = Run(Sctk, [program, .. args], workingDirectory, stdin);
        if (code != 0) throw new InvalidOperationException($"sctk {program} exited with {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return stdout;
    }
}
