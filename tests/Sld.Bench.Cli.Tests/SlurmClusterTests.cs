// A sweep submitted with `sldbench sweep run --slurm` to a real, throw-away Slurm cluster on this machine
// (slurmctld + slurmd from Debian's slurm-wlm, authenticated by munge): the array job's tasks claim the cells
// from the shared store and every cell ends done exactly once. Needs root (the daemons) and the packages;
// without them the test is skipped and says why.
using System.Diagnostics;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Cli.Tests;

public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Environment.UserName != "root") Skip = "a throw-away Slurm cluster needs root";
        else if (new[] { "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged" }.FirstOrDefault(p => !File.Exists(p)) is { } missing)
            Skip = $"{missing} is not installed (apt-get install slurm-wlm munge)";
    }
}

/// <summary>slurmctld and slurmd on local ports with state in a temporary folder; SLURM_CONF points sbatch at it.</summary>
public sealed class ThrowAwaySlurm : IDisposable
{
    private readonly List<Process> _daemons = [];

    public ThrowAwaySlurm()
    {
        Root = Path.Combine(Path.GetTempPath(), "sldbench-slurm", Guid.NewGuid().ToString("N")[..8]);
        foreach (var d in new[] { "state", "spool", "log" }) Directory.CreateDirectory(Path.Combine(Root, d));
        var host = Run("hostname", "-s").Trim();
        var cpus = Environment.ProcessorCount;
        Config = Path.Combine(Root, "slurm.conf");
        File.WriteAllText(Config, $"""
            ClusterName=sldbench-test
            SlurmctldHost={host}
            SlurmctldPort=16917
            SlurmdPort=16918
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            StateSaveLocation={Root}/state
            SlurmdSpoolDir={Root}/spool
            SlurmctldPidFile={Root}/slurmctld.pid
            SlurmdPidFile={Root}/slurmd.pid
            SlurmctldLogFile={Root}/log/slurmctld.log
            SlurmdLogFile={Root}/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            MpiDefault=none
            ReturnToService=2
            SchedulerType=sched/backfill
            JobCompType=jobcomp/none
            AccountingStorageType=accounting_storage/none
            NodeName={host} CPUs={cpus} State=UNKNOWN
            PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP
            """);
        EnsureMunge();
        _daemons.Add(Daemon("/usr/sbin/slurmctld", "-D", "-i", "-f", Config));
        _daemons.Add(Daemon("/usr/sbin/slurmd", "-D", "-f", Config));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Run("/usr/bin/sinfo", "-h", "-o", "%T").Contains("idle", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException("the Slurm node did not become idle in 60 s; logs in " + Path.Combine(Root, "log"));
            Thread.Sleep(500);
        }
    }

    public string Root { get; }

    public string Config { get; }

    public string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["SLURM_CONF"] = Config;
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output;
    }

    private Process Daemon(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["SLURM_CONF"] = Config;
        foreach (var a in args) start.ArgumentList.Add(a);
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>munged runs as the munge user with its key from the package; started here when it is not running.</summary>
    private void EnsureMunge()
    {
        if (Run("/usr/bin/munge", "-n").StartsWith("MUNGE:", StringComparison.Ordinal)) return;
        Directory.CreateDirectory("/run/munge");
        Run("/bin/chown", "munge:munge", "/run/munge");
        Run("/usr/sbin/runuser", "-u", "munge", "--", "/usr/sbin/munged");
        Thread.Sleep(500);
        if (!Run("/usr/bin/munge", "-n").StartsWith("MUNGE:", StringComparison.Ordinal))
            throw new InvalidOperationException("munged could not be started (is /etc/munge/munge.key there?)");
    }

    public void Dispose()
    {
        Run("/usr/bin/scancel", "--full", "--partition", "test");
        foreach (var d in _daemons)
        {
            if (!d.HasExited) d.Kill(entireProcessTree: true);
            d.WaitForExit();
            d.Dispose();
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[Collection(ConsoleCollection.Name)]
public sealed class SlurmClusterTests(SweepFolder folder)
    : IClassFixture<SweepFolder>
{
    [SlurmFact]
    public async Task ASweepSubmittedToSlurmIsRunByTheArrayTasks()
    {
        using var slurm = new ThrowAwaySlurm();
        var file = folder.Write("slurm", "steps: 4, eval_every: 100, checkpoint_every: 100", """
            sweep:
              name: slurm
              grid:
                loss: [loss_masking, multimodal_ce, sld]
            """);
        var db = folder.Database("slurm");
        Environment.SetEnvironmentVariable("SLURM_CONF", slurm.Config);
        int code;
        string stdout, stderr;
        try
        {
            (code, stdout, stderr) = Cli.Capture("sweep", "run", file, "--db", db, "--out", folder.Output, "--slurm", "--workers", "2", "--threads", "1",
                "--partition", "test", "--time", "00:20:00");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLURM_CONF", null);
        }
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains("submitted Slurm array job", stdout);

        var deadline = DateTime.UtcNow.AddMinutes(10);
        List<Run> runs;
        while (true)
        {
            await using (var store = await ResultsStore.OpenReadOnlyAsync(db))
                runs = await store.ListRunsAsync((await store.GetSweepAsync("slurm"))!.Id);
            if (runs.All(r => r.Status is RunStatus.Done or RunStatus.Failed or RunStatus.Diverged)) break;
            Assert.True(DateTime.UtcNow < deadline, "the array job did not finish in 10 minutes: " + slurm.Run("/usr/bin/squeue") +
                string.Join("\n", Directory.GetFiles(folder.Output, "slurm-*.out", SearchOption.AllDirectories).Select(File.ReadAllText)));
            await Task.Delay(1000);
        }
        Assert.All(runs, r => Assert.Equal((RunStatus.Done, 1, (string?)null), (r.Status, r.Attempts, r.Error)));
        // The cells were run by Slurm tasks, not by this process.
        Assert.All(runs, r => Assert.NotEqual(Environment.ProcessId, r.ClaimedByPid));
    }
}
