// Starts one measurement (the PyTorch reference script, or this program as the C# worker on TorchSharp) as a
// fresh child process and reads its JSON result line. Both get the same environment: OMP_NUM_THREADS and
// OPENBLAS_NUM_THREADS pinned to --threads, since Debian's OpenBLAS keeps its own thread pool that
// torch.set_num_threads does not resize.
using System.Diagnostics;

namespace Sld.Bench.Bench.TrainStep;

public static class MeasurementProcess
{
    public static TrainStepResult RunPyTorch(TrainStepOptions o)
    {
        if (!File.Exists(o.Reference)) throw new FileNotFoundException($"PyTorch reference script not found: {o.Reference}");
        return TrainStepResult.FromJson(Run(o.Python, [o.Reference, .. o.StepArguments()], o.Threads));
    }

    public static TrainStepResult RunCSharp(TrainStepOptions o)
    {
        var (host, prefix) = Self();
        return TrainStepResult.FromJson(Run(host, [.. prefix, "--worker", .. o.StepArguments()], o.Threads));
    }

    /// <summary>The per-op probe of one side ("pytorch" or "csharp") in a fresh process.</summary>
    public static OpProbeResult RunProbe(TrainStepOptions o, string side)
    {
        string[] probeArguments = ["--calls", o.ProbeCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", o.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var line = side switch
        {
            "pytorch" => File.Exists(o.ProbeReference)
                ? Run(o.Python, [o.ProbeReference, .. probeArguments], o.Threads)
                : throw new FileNotFoundException($"PyTorch probe script not found: {o.ProbeReference}"),
            "csharp" => RunSelfProbe(o, probeArguments),
            _ => throw new ArgumentException($"unknown side '{side}'"),
        };
        return OpProbeResult.FromJson(line);
    }

    private static string RunSelfProbe(TrainStepOptions o, string[] probeArguments)
    {
        var (host, prefix) = Self();
        return Run(host, [.. prefix, "--worker", "--probe", "--probe-calls", probeArguments[1], "--threads", probeArguments[3]], o.Threads);
    }

    /// <summary>This program, to start again as a worker: under `dotnet x.dll` the process path is the dotnet
    /// host, which needs the assembly as its first argument.</summary>
    private static (string host, string[] prefix) Self()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this program's own path");
        return (host, Path.GetFileNameWithoutExtension(host) == "dotnet" ? [typeof(MeasurementProcess).Assembly.Location] : []);
    }

    /// <summary>The environment pinning given to both measurement processes, for the report.</summary>
    public static string ThreadEnvironment(int threads) => $"OMP_NUM_THREADS={threads} OPENBLAS_NUM_THREADS={threads}";

    private static string Run(string fileName, IEnumerable<string> arguments, int threads)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["OPENBLAS_NUM_THREADS"] = start.Environment["OMP_NUM_THREADS"];
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEnd(); // stderr is inherited, so the child's errors show as they happen
        process.WaitForExit();
        var command = $"{fileName} {string.Join(' ', start.ArgumentList)}";
        if (process.ExitCode != 0) throw new InvalidOperationException($"`{command}` exited with code {process.ExitCode}");
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'))
                   ?? throw new InvalidDataException($"`{command}` printed no JSON result line; its output was:\n{stdout}");
        return line;
    }
}
