// Runs a sweep on a Slurm cluster as one array job whose tasks are `sldbench sweep worker` processes. Every
// task claims cells from the same store, so the array size is just the number of parallel workers: the
// store decides which cell each runs, a preempted or timed-out task's cell is requeued by the next claim.
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sld.Bench.Sweeps;

public sealed record SlurmOptions
{
    public int Tasks { get; init; } = 1;
    public int CpusPerTask { get; init; } = 4;
    public string TimeLimit { get; init; } = "24:00:00";
    public string? Partition { get; init; }
    /// <summary>e.g. "gpu:1"; null for CPU jobs.</summary>
    public string? Gres { get; init; }
    public string? Memory { get; init; }
    /// <summary>Extra `#SBATCH` lines, verbatim (account, qos, constraint...).</summary>
    public IReadOnlyList<string> ExtraDirectives { get; init; } = [];
}

public static class SlurmExecutor
{
    /// <summary>The sbatch script for a sweep's worker array.</summary>
    public static string Script(WorkerCommand command, SlurmOptions options, string executable, IReadOnlyList<string> executablePrefix)
    {
        if (options.Tasks < 1) throw new ArgumentException("a Slurm array needs at least one task");
        var logs = Path.Combine(command.OutputRoot, "slurm");
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --job-name=sldbench-{command.SweepName}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{options.Tasks - 1}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={options.CpusPerTask}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --time={options.TimeLimit}");
        s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --output={logs}/%A_%a.log");
        // Slurm sends SIGTERM before the time limit's SIGKILL; the worker marks its cell interrupted for resume.
        s.AppendLine("#SBATCH --signal=TERM@120");
        if (options.Partition is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --partition={options.Partition}");
        if (options.Gres is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --gres={options.Gres}");
        if (options.Memory is not null) s.AppendLine(CultureInfo.InvariantCulture, $"#SBATCH --mem={options.Memory}");
        foreach (var d in options.ExtraDirectives) s.AppendLine(d.StartsWith("#SBATCH", StringComparison.Ordinal) ? d : $"#SBATCH {d}");
        s.AppendLine("set -euo pipefail");
        var args = executablePrefix.Concat(command.Arguments("\"${SLURM_CPUS_PER_TASK:-1}\"")).Select((a, i) => a.StartsWith('"') ? a : Quote(a));
        s.AppendLine(CultureInfo.InvariantCulture, $"exec {Quote(executable)} {string.Join(' ', args)}");
        return s.ToString();
    }

    /// <summary>Writes the script under the output root and submits it with sbatch; returns the job id.</summary>
    public static async Task<string> SubmitAsync(WorkerCommand command, SlurmOptions options, CancellationToken cancellation)
    {
        var (executable, prefix) = WorkerProcesses.SelfCommand();
        var dir = Path.Combine(command.OutputRoot, "slurm");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"{command.SweepName}.sbatch");
        await File.WriteAllTextAsync(path, Script(command, options, executable, prefix), cancellation);
        var start = new ProcessStartInfo("sbatch") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--parsable");
        start.ArgumentList.Add(path);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"sbatch was not found ({e.Message}): run this on a Slurm login node, or use --executor local. The script is at {path}", e);
        }
        using (process)
        {
            var stdout = await process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = await process.StandardError.ReadToEndAsync(cancellation);
            await process.WaitForExitAsync(cancellation);
            if (process.ExitCode != 0) throw new InvalidOperationException($"sbatch {path} failed ({process.ExitCode}): {stderr.Trim()}");
            return stdout.Trim().Split(';')[0];
        }
    }

    private static string Quote(string s) => s.All(c => char.IsLetterOrDigit(c) || "/._-=:@%+,".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
