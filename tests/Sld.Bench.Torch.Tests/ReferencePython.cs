// Runs the repository's PyTorch reference scripts (tests/reference/*.py) with /usr/bin/python3, the interpreter
// that has python3-torch (a `python3` earlier on PATH may lack torch). A missing interpreter or torch fails the
// test with the install command rather than skipping it: parity with PyTorch is what these tests check.
using System.Diagnostics;

namespace Sld.Bench.Torch.Tests;

internal static class ReferencePython
{
    public const string Interpreter = "/usr/bin/python3";
    private const string Install = "sudo apt-get install -y python3-torch";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The directory holding Sld.Bench.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Runs a script (path relative to the repository root) and returns its standard output.</summary>
    public static string Run(string scriptRelativePath, params string[] args)
    {
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} is missing; the PyTorch reference scripts need it: {Install}");
        var script = Path.Combine(RepoRoot, scriptRelativePath);
        if (!File.Exists(script)) throw new FileNotFoundException($"reference script {script} does not exist", script);

        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        // Read both pipes concurrently: a script that fills one while we block on the other would deadlock.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{scriptRelativePath} did not finish within {Timeout.TotalMinutes} minutes");
        }
        var error = stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            if (error.Contains("No module named 'torch'", StringComparison.Ordinal))
                throw new InvalidOperationException($"{Interpreter} has no torch module; the reference scripts need it: {Install}");
            throw new InvalidOperationException($"{scriptRelativePath} exited with code {process.ExitCode}:\n{error}");
        }
        return stdout.GetAwaiter().GetResult();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sld.Bench.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no directory above {AppContext.BaseDirectory} contains Sld.Bench.sln");
    }
}
