// Runs the reference scripts under tests/reference with Debian's /usr/bin/python3 (which has torch,
// torchaudio and scikit-learn). The README's test command installs them, so a missing interpreter or
// module is a failure with the install command, never a silent skip.
using System.Diagnostics;

namespace Sld.Bench.Testing;

public static class ReferencePython
{
    public const string Interpreter = "/usr/bin/python3";

    public const string InstallHint = "sudo apt-get install -y python3-torch python3-torchaudio python3-sklearn";

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
        var start = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.Reference(script));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var stdout = stdoutTask.Result;
        if (process.ExitCode != 0 && stderr.Contains("ModuleNotFoundError", StringComparison.Ordinal))
            throw new InvalidOperationException($"{script}: a Python module is missing ({stderr.Trim()}); install with: {InstallHint}");
        return (process.ExitCode, stdout, stderr);
    }
}
