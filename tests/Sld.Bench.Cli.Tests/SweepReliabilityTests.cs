// `sldbench` against a careless or hostile user, end to end: values that can only fail later are refused by
// `sweep plan` at file:line:column; a sweep too large to expand is refused naming its axes; a database file
// that is no store gives one line (not a stack trace) and is not written; an output that is an input is
// refused; SIGTERM right after a claim leaves the cell interrupted (one worker or two); `resume` needs no
// --out; and a new database pointed at another store's --out refuses to reuse its checkpoints.
using System.Diagnostics;
using System.Security.Cryptography;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SweepReliabilityTests(SweepFolder folder) : IClassFixture<SweepFolder>
{
    private const string OneCell = """
        sweep:
          name: {0}
          grid:
            loss: [multimodal_ce]
        """;

    [Theory]
    [InlineData("lr: .nan", "'train.lr': must be a finite number, got .nan")]
    [InlineData("steps: -5", "'train.steps': must be at least 1, got -5")]
    [InlineData("max_batch_size: 0", "'train.max_batch_size': must be at least 1, got 0")]
    [InlineData("lr: 0", "'train.lr': must be greater than 0, got 0")]
    [InlineData("dropout_typo: 1", "unknown key")]
    public void Plan_refuses_values_that_could_only_fail_at_run_time_where_they_are_written(string train, string message)
    {
        var name = "range" + Math.Abs(train.GetHashCode()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var file = folder.Write(name, train, "");
        var (code, _, stderr) = Cli.Capture("sweep", "plan", file, "--db", folder.Database(name));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"{file}:10:", stderr); // the train: line of the written file
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void An_axis_value_out_of_range_is_refused_at_the_value()
    {
        var file = folder.Write("zerobatch", "steps: 2", "sweep:\n  grid:\n    train.batch_tokens: [3000, 0]\n");
        var (code, _, stderr) = Cli.Capture("sweep", "plan", file, "--db", folder.Database("zerobatch"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"{file}:13:", stderr); // the axis line
        Assert.Contains("'train.batch_tokens': must be at least 1, got 0", stderr);
    }

    [Fact]
    public void A_sweep_named_dot_dot_is_refused_before_anything_is_written()
    {
        var file = folder.Write("dotdot", "steps: 2", "sweep:\n  name: '..'\n  grid:\n    loss: [sld]\n");
        var (code, _, stderr) = Cli.Capture("sweep", "run", file, "--db", folder.Database("dotdot"), "--out", folder.Output);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("not a usable sweep name", stderr);
        Assert.False(File.Exists(folder.Database("dotdot")));
    }

    [Fact]
    public void A_sweep_past_the_cell_limit_is_refused_quickly_naming_its_axes_and_the_limit_can_be_raised()
    {
        var file = folder.Write("huge", "steps: 2", """
            sweep:
              grid:
                train.steps: range(1, 1001)
                train.warmup: range(0, 1000)
                train.eval_every: range(1, 1001)
            """);
        var watch = Stopwatch.StartNew();
        var (code, _, stderr) = Cli.Capture("sweep", "plan", file, "--db", folder.Database("huge"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Contains("train.steps (1,000 values", stderr);
        Assert.Contains("train.warmup (1,000 values", stderr);
        Assert.Contains("--cell-limit", stderr);

        var small = folder.Write("small", "steps: 2", "sweep:\n  grid:\n    train.steps: [2, 3]\n    train.warmup: [0, 1]\n");
        (code, _, stderr) = Cli.Capture("sweep", "plan", small, "--db", folder.Database("small"), "--cell-limit", "3");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("limit of 3", stderr);
        (code, var stdout, stderr) = Cli.Capture("sweep", "plan", small, "--db", folder.Database("small"), "--cell-limit", "4");
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains("4 cells", stdout);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("empty")]
    public void A_database_file_that_is_no_store_is_one_line_naming_it_and_is_never_written(string kind)
    {
        var db = Path.Combine(folder.Root, $"{kind}.db");
        File.WriteAllBytes(db, kind == "garbage" ? RandomNumberGenerator.GetBytes(4096) : []);
        var before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(db)));
        var file = folder.Write("nostore", "steps: 2", string.Format(OneCell, "nostore"));
        foreach (var args in new[]
        {
            new[] { "runs", "list", "--db", db },
            ["sweep", "status", "--db", db],
            ["export", "--db", db, "--sweep", "x", "--rows", "a", "--cols", "b", "--metric", "wer@test"],
            ["sweep", "run", file, "--db", db, "--out", folder.Output],
        })
        {
            if (kind == "empty" && args[1] == "run") continue; // an empty file is a new store to write
            var (code, stdout, stderr) = Cli.Capture(args);
            Assert.True(code == ExitCodes.InvalidInput, $"{string.Join(' ', args)}: {code}\n{stdout}{stderr}");
            Assert.Contains(db, stderr);
            Assert.DoesNotContain("   at ", stderr);
            Assert.DoesNotContain("SqliteException", stderr);
        }
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(db))));
    }

    [Fact]
    public void Features_refuses_to_write_over_its_input_audio()
    {
        var audio = Path.Combine(folder.Root, "tone.wav");
        File.WriteAllBytes(audio, Wav(16000, 8000));
        var before = File.ReadAllBytes(audio);
        var (code, _, stderr) = Cli.Capture("features", audio, "-o", Path.Combine(folder.Root, ".", "tone.wav"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("is the input audio", stderr);
        Assert.Equal(before, File.ReadAllBytes(audio));

        var link = Path.Combine(folder.Root, "tone-link.npy");
        File.CreateSymbolicLink(link, audio);
        (code, _, stderr) = Cli.Capture("features", audio, "-o", link);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(before, File.ReadAllBytes(audio));

        var tooShort = Path.Combine(folder.Root, "ten-ms.wav");
        File.WriteAllBytes(tooShort, Wav(16000, 160));
        (code, _, stderr) = Cli.Capture("features", tooShort, "-o", Path.Combine(folder.Root, "short.npy"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(tooShort, stderr);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Sigterm_right_after_a_claim_leaves_the_cell_interrupted_and_resume_requeues_it(int workers)
    {
        var name = $"term{workers}";
        var file = folder.Write(name, "steps: 5000, eval_every: 5000, checkpoint_every: 5000", string.Format(OneCell, name));
        var db = folder.Database(name);
        var output = Path.Combine(folder.Root, "out-" + name);
        using (var child = Process.Start(CliProcess.Start(["sweep", "run", file, "--db", db, "--out", output, "--workers", workers.ToString(), "--threads", "1"]))!)
        {
            var seen = new TaskCompletionSource();
            var log = new System.Text.StringBuilder();
            child.OutputDataReceived += (_, e) =>
            {
                lock (log) log.AppendLine(e.Data);
                if (e.Data?.Contains(": started (attempt 1)", StringComparison.Ordinal) == true) seen.TrySetResult();
            };
            child.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            await seen.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, Terminate(child.Id));
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(90)), "no exit within 90 s of SIGTERM:\n" + log);
            child.WaitForExit();
            Assert.True(child.ExitCode == ExitCodes.Interrupted, $"exit {child.ExitCode}:\n{log}");
        }
        await using (var store = await ResultsStore.OpenReadOnlyAsync(db))
        {
            var run = Assert.Single(await store.ListRunsAsync((await store.GetSweepAsync(name))!.Id));
            Assert.Equal(RunStatus.Cancelled, run.Status);
        }
        await using (var store = await ResultsStore.OpenAsync(db))
        {
            var reset = await store.ResetForResumeAsync((await store.GetSweepAsync(name))!.Id);
            Assert.Equal(1, reset.Cancelled);
        }
    }

    [Fact]
    public async Task Resume_finds_the_output_folder_itself_and_a_new_database_refuses_another_stores_checkpoints()
    {
        var file = folder.Write("elsewhere", "steps: 16, eval_every: 8, checkpoint_every: 4", string.Format(OneCell, "elsewhere"));
        var db = folder.Database("elsewhere");
        var output = Path.Combine(folder.Root, "out-elsewhere");
        using (var child = Process.Start(CliProcess.Start(["sweep", "run", file, "--db", db, "--out", output, "--threads", "2"]))!)
        {
            var runs = Path.Combine(output, "runs", "elsewhere");
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (!child.HasExited && DateTime.UtcNow < deadline && !(Directory.Exists(runs) && Directory.EnumerateFiles(runs, "last.safetensors", SearchOption.AllDirectories).Any()))
                Thread.Sleep(20);
            Assert.False(child.HasExited, "the sweep finished before it could be interrupted");
            Terminate(child.Id);
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(90)));
        }

        // The hint sldbench prints has no --out: the store knows where the sweep's files are.
        var (code, stdout, stderr) = Cli.Capture("sweep", "resume", "elsewhere", "--db", db, "--threads", "2");
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        await using (var store = await ResultsStore.OpenReadOnlyAsync(db))
        {
            var sweep = (await store.GetSweepAsync("elsewhere"))!;
            Assert.Equal(output, sweep.OutputRoot);
            var run = Assert.Single(await store.ListRunsAsync(sweep.Id));
            Assert.Equal((RunStatus.Done, 2), (run.Status, run.Attempts));
            Assert.NotEmpty(await store.GetMetricsAsync(run.Id, "train/loss"));
        }

        // A fresh database pointed at that folder would find the cell's checkpoint: refused, the cell left pending.
        var fresh = folder.Database("elsewhere-fresh");
        (code, stdout, stderr) = Cli.Capture("sweep", "run", file, "--db", fresh, "--out", output, "--threads", "2");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("another results store", stderr);
        await using (var store = await ResultsStore.OpenReadOnlyAsync(fresh))
            Assert.Equal(RunStatus.Pending, Assert.Single(await store.ListRunsAsync((await store.GetSweepAsync("elsewhere"))!.Id)).Status);

        // A moved-away output folder is an error that says so, not a failed cell.
        Directory.Move(output, output + "-moved");
        await using (var store = await ResultsStore.OpenAsync(db))
            await store.ResetForResumeAsync((await store.GetSweepAsync("elsewhere"))!.Id, new ResumeOptions { RetryFailed = true });
        (code, _, stderr) = Cli.Capture("sweep", "resume", "elsewhere", "--db", db);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("does not exist", stderr);
        Directory.Move(output + "-moved", output);
    }

    private static byte[] Wav(int rate, int samples)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write("RIFF"u8);
        w.Write(36 + samples * 2);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(rate);
        w.Write(rate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples * 2);
        for (var i = 0; i < samples; i++) w.Write((short)(3000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        w.Flush();
        return stream.ToArray();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static int Terminate(int pid) => Kill(pid, 15);
}
