// Runs the reference scripts under tests/reference with Debian's /usr/bin/python3 (which has torch,
// torchaudio and scikit-learn; a `python3` earlier on PATH may lack them). The README's test command installs
// them, so a missing interpreter or module fails the test with the install command, never a silent skip.
using System.Diagnostics;

namespace Sld.Bench.Testing;

public static class ReferencePython
{
    public const string Interpreter = "/usr/bin/python3";

    public const string InstallHint = "sudo apt-get install -y python3-torch python3-torchaudio python3-sklearn";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs tests/reference/<paramref name="script"/> with arguments; returns stdout, throws on a non-zero exit.</summary>
    public static string Run(string script, params string[] args) => RunWithExitCode(script, args) switch
    {
        (0, var stdout, _) => stdout,
        (var code, var stdout, var stderr) => throw new InvalidOperationException(
            $"{script} exited with {code}.\nstdout:\n{stdout}\nstderr:\n{stderr}"),
    };

    public static (int exitCode, string stdout, string stderr) RunWithExitCode(string script, params string[] args)
    {
        if (!File.Exists(Interpreter))
            throw new InvalidOperationException($"{Interpreter} is missing; the reference scripts need Debian's Python with torch: {InstallHint}");
        var path = RepoPaths.Reference(script);
        if (!File.Exists(path)) throw new FileNotFoundException($"reference script {path} does not exist", path);
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(path);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        // Read both pipes concurrently: a script that fills one while we block on the other would deadlock.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {Timeout.TotalMinutes} minutes");
        }
        var error = stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0 && error.Contains("No module named", StringComparison.Ordinal))
            throw new InvalidOperationException($"{script}: a Python module is missing ({error.Trim()}); install with: {InstallHint}");
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), error);
    }
}
