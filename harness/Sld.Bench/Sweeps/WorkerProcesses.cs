// Runs N `sldbench sweep worker` processes on this machine against one store, so cells run in parallel with
// process isolation (a crash or a kill takes down one worker, whose cell another worker reclaims). Ctrl+C or
// SIGTERM is passed on to the workers as SIGTERM, so each marks its cell interrupted and stops cleanly.
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sld.Bench.Sweeps;

public sealed record WorkerCommand(string SweepName, string Database, string OutputRoot, int Threads)
{
    /// <summary>The arguments of `sldbench sweep worker` for this sweep (shared by local processes and Slurm tasks).</summary>
    public IReadOnlyList<string> Arguments(string? threadsExpression = null) =>
        ["sweep", "worker", "--sweep", SweepName, "--db", Database, "--out", OutputRoot, "--threads", threadsExpression ?? Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)];
}

public static partial class WorkerProcesses
{
    /// <summary>Set by the CLI when it runs inside another host (a test runner), so workers start sldbench, not the host.</summary>
    public static (string fileName, IReadOnlyList<string> prefix)? Override { get; set; }

    /// <summary>How to start this same sldbench: its apphost, or `dotnet sldbench.dll` when run through the muxer.</summary>
    public static (string fileName, IReadOnlyList<string> prefix) SelfCommand()
    {
        if (Override is { } given) return given;
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entry)) return (process, [entry]);
        return (process, []);
    }

    /// <summary>Starts <paramref name="count"/> workers and waits for all; returns how many exited with a non-zero code.</summary>
    public static async Task<int> RunAsync(WorkerCommand command, int count, Action<string> log, CancellationToken cancellation)
    {
        var (fileName, prefix) = SelfCommand();
        var workers = new List<Process>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var start = new ProcessStartInfo(fileName)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var a in prefix.Concat(command.Arguments())) start.ArgumentList.Add(a);
                var p = Process.Start(start) ?? throw new InvalidOperationException($"could not start worker {i}");
                var tag = $"[worker {i + 1}] ";
                p.OutputDataReceived += (_, e) => { if (e.Data is not null) log(tag + e.Data); };
                p.ErrorDataReceived += (_, e) => { if (e.Data is not null) log(tag + e.Data); };
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                workers.Add(p);
            }
            using var forward = cancellation.Register(() =>
            {
                foreach (var p in workers)
                    if (!p.HasExited) _ = Terminate(p.Id);
            });
            await Task.WhenAll(workers.Select(p => p.WaitForExitAsync(CancellationToken.None)));
            return workers.Count(p => p.ExitCode != 0);
        }
        finally
        {
            foreach (var p in workers) p.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends SIGTERM (not .NET's Kill, which is SIGKILL and would leave the cell to the stale-claim reclaim).</summary>
    public static int Terminate(int pid) => Kill(pid, 15);
}
