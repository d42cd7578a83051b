// `sldbench sweep ...` end to end on the tiny built-in corpus, as a researcher's scripts see it: every cell
// recorded once with its evaluations and scoring files, a second run redoing nothing, config errors at
// file:line:column, a NaN loss marking one cell diverged while the sweep goes on, four worker processes on one
// SQLite store, and a sweep killed with SIGKILL mid-training that resumes to the same WER as an uninterrupted run.
using System.Diagnostics;
using Sld.Bench.Cli;
using Sld.Bench.Experiments;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Testing;

namespace Sld.Bench.Cli.Tests;

/// <summary>A copy of experiments/ (base and groups) plus test sweeps, and one output folder whose shared stages
/// (the tiny corpus, its features, the k-means fit) every test reuses.</summary>
public sealed class SweepFolder : IDisposable
{
    public SweepFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "sldbench-sweep-tests", Guid.NewGuid().ToString("N")[..12]);
        Experiments = Path.Combine(Root, "experiments");
        Copy(Path.Combine(RepoPaths.Root, "experiments"), Experiments);
        Output = Path.Combine(Root, "out");
    }

    public string Root { get; }

    public string Experiments { get; }

    public string Output { get; }

    /// <summary>Writes an experiment file over the tiny corpus: <paramref name="train"/> adds train settings (flow
    /// mapping entries), <paramref name="body"/> holds the sweep block or anything else.</summary>
    public string Write(string name, string train, string body)
    {
        var path = Path.Combine(Experiments, name + ".yaml");
        File.WriteAllText(path, $"""
            defaults:
              - base
              - data: tiny
              - features: fbank50
            data:
              test: [test]
            tokenizer:
              k: 32
              iterations: 8
            train: {"{"}warmup: 2, batch_tokens: 3000, dev_decode_limit: 4, {train}{"}"}
            {body}
            """);
        return path;
    }

    public string Database(string name) => Path.Combine(Root, name + ".db");

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) Copy(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    public void Dispose()
    {
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
public sealed class SweepCommandTests(SweepFolder folder) : IClassFixture<SweepFolder>
{
    [Fact]
    public async Task ASweepRecordsEveryCellOnceAndARerunDoesNothing()
    {
        var file = folder.Write("twocells", "steps: 12, eval_every: 6, checkpoint_every: 6", """
            sweep:
              name: twocells
              grid:
                loss: [loss_masking, sld]
            """);
        var db = folder.Database("twocells");
        var (code, stdout, stderr) = Cli.Capture("sweep", "run", file, "--db", db, "--out", folder.Output);
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains("2 new", stdout);

        await using (var store = await ResultsStore.OpenReadOnlyAsync(db))
        {
            var sweep = (await store.GetSweepAsync("twocells"))!;
            var runs = await store.ListRunsAsync(sweep.Id);
            Assert.Equal(2, runs.Count);
            foreach (var run in runs)
            {
                Assert.Equal(RunStatus.Done, run.Status);
                Assert.Equal(1, run.Attempts);
                Assert.NotNull(run.TokenizerHash);
                Assert.True(run.ParameterCount > 0);
                var evaluation = Assert.Single(await store.GetEvaluationsAsync(run.Id));
                Assert.Equal("test", evaluation.TestSet);
                Assert.Equal(evaluation.Sentences, await store.CountUtterancesAsync(evaluation.Id));
                Assert.NotEmpty(await store.GetMetricsAsync(run.Id, "train/loss"));
                Assert.NotEmpty(await store.GetMetricsAsync(run.Id, "dev/wer"));
                var scoring = Path.Combine(folder.Output, "runs", "twocells", run.ConfigHash, AsrCellRunner.ScoringFolder, "test");
                Assert.True(File.Exists(Path.Combine(scoring, "wer-summary")), scoring);
                Assert.True(File.Exists(Path.Combine(scoring, "hyp.trn")));
            }
            var artifacts = await store.ListArtifactsAsync();
            Assert.Equal(["corpus", "features", "tokenizer"], artifacts.Select(a => a.Stage).Distinct().Order().ToArray());
            Assert.Equal(3, artifacts.Count(a => a.Stage == "features")); // train, dev and test: one cache each, shared by both cells
            Assert.All(artifacts, a => Assert.Equal(ArtifactStatus.Ready, a.Status));
            Assert.Contains("codebook_usage", artifacts.Single(a => a.Stage == "tokenizer").StatsJson);
        }

        (code, stdout, stderr) = Cli.Capture("sweep", "run", file, "--db", db, "--out", folder.Output);
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains("0 new, 2 known", stdout);
        Assert.DoesNotContain("started", stdout);

        (code, stdout, _) = Cli.Capture("sweep", "status", "twocells", "--db", db);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("twocells: 2 cells: 2 done", stdout);
        (code, stdout, _) = Cli.Capture("sweep", "plan", file, "--db", db);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("2 of 2 cells done", stdout);
    }

    [Fact]
    public void AConfigErrorNamesTheFileLineAndColumn()
    {
        var file = folder.Write("typo", "stepz: 3", "");
        var (code, _, stderr) = Cli.Capture("sweep", "plan", file, "--db", folder.Database("typo"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("typo.yaml:", stderr);
        Assert.Contains("stepz", stderr);
        Assert.Contains("steps", stderr); // the nearest valid key is suggested

        var axis = folder.Write("badaxis", "steps: 2", """
            sweep:
              grid:
                train.learning_rate: [1, 2]
            """);
        (code, _, stderr) = Cli.Capture("sweep", "run", axis, "--db", folder.Database("badaxis"), "--out", folder.Output);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("badaxis.yaml:", stderr);
        Assert.False(File.Exists(folder.Database("badaxis")), "nothing is stored for a plan that does not bind");
    }

    [Fact]
    public async Task ANaNLossMarksTheCellDivergedAndTheSweepGoesOn()
    {
        var file = folder.Write("nan", "steps: 6, eval_every: 6, grad_clip: 0", """
            sweep:
              name: nan
              grid:
                train.lr: [1.0e-3, 1.0e+30]
            """);
        var db = folder.Database("nan");
        var (code, stdout, stderr) = Cli.Capture("sweep", "run", file, "--db", db, "--out", folder.Output);
        Assert.True(code == ExitCodes.Failure, stdout + stderr);
        await using var store = await ResultsStore.OpenReadOnlyAsync(db);
        var runs = await store.ListRunsAsync((await store.GetSweepAsync("nan"))!.Id);
        var diverged = Assert.Single(runs, r => r.Status == RunStatus.Diverged);
        Assert.Contains("1e+30", diverged.AxesJson);
        Assert.InRange(diverged.DivergedStep ?? 0, 1, 6);
        Assert.Contains("at step", diverged.Error);
        Assert.Single(runs, r => r.Status == RunStatus.Done);
    }

    [Fact]
    public async Task FourWorkerProcessesShareOneSqliteStore()
    {
        var file = folder.Write("four", "steps: 2, eval_every: 100, checkpoint_every: 100", """
            sweep:
              name: four
              grid:
                loss: [loss_masking, multimodal_ce]
              seeds: [0, 1, 2, 3]
            """);
        var db = folder.Database("four");
        var (code, output) = CliProcess.Run(["sweep", "run", file, "--db", db, "--out", folder.Output, "--workers", "4", "--threads", "1"], TimeSpan.FromMinutes(8));
        Assert.True(code == ExitCodes.Success, output);
        Assert.DoesNotContain("database is locked", output);
        await using var store = await ResultsStore.OpenReadOnlyAsync(db);
        var runs = await store.ListRunsAsync((await store.GetSweepAsync("four"))!.Id);
        Assert.Equal(8, runs.Count);
        Assert.All(runs, r => Assert.Equal((RunStatus.Done, 1), (r.Status, r.Attempts)));
        Assert.Equal(8, runs.Select(r => r.ConfigHash).Distinct().Count());
        foreach (var r in runs) Assert.Single(await store.GetEvaluationsAsync(r.Id));
        // Every started cell is reported by exactly one worker.
        Assert.Equal(8, output.Split('\n').Count(l => l.Contains(": started (attempt 1)", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ASweepKilledMidTrainingResumesToTheSameResult()
    {
        const string train = "steps: 40, eval_every: 20, checkpoint_every: 8";
        const string body = """
            sweep:
              name: {0}
              grid:
                loss: [multimodal_ce]
            """;
        var killed = folder.Write("killed", train, body.Replace("{0}", "killed"));
        var whole = folder.Write("whole", train, body.Replace("{0}", "whole"));
        var db = folder.Database("killed");

        // Start the sweep in a real process and SIGKILL it once its first checkpoint is on disk.
        var start = CliProcess.Start(["sweep", "run", killed, "--db", db, "--out", folder.Output, "--threads", "2"]);
        using (var child = Process.Start(start)!)
        {
            var runs = Path.Combine(folder.Output, "runs", "killed");
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (!child.HasExited && DateTime.UtcNow < deadline && !Directory.EnumerateFiles(runs.EnsureExists(), "last.safetensors", SearchOption.AllDirectories).Any())
                Thread.Sleep(20);
            var finished = child.HasExited;
            if (!finished) child.Kill();
            child.WaitForExit();
            Assert.False(finished, "the sweep finished before it could be killed: " + child.StandardOutput.ReadToEnd() + child.StandardError.ReadToEnd());
        }
        await using (var store = await ResultsStore.OpenReadOnlyAsync(db))
            Assert.Equal(RunStatus.Running, Assert.Single(await store.ListRunsAsync((await store.GetSweepAsync("killed"))!.Id)).Status);

        var (code, stdout, stderr) = Cli.Capture("sweep", "resume", "killed", "--db", db, "--out", folder.Output, "--threads", "2");
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        (code, stdout, stderr) = Cli.Capture("sweep", "run", whole, "--db", folder.Database("whole"), "--out", folder.Output, "--threads", "2");
        Assert.True(code == ExitCodes.Success, stdout + stderr);

        var (resumed, resumedRun) = await Hypotheses(db, "killed");
        var (uninterrupted, _) = await Hypotheses(folder.Database("whole"), "whole");
        Assert.Equal(2, resumedRun.Attempts);
        Assert.Equal(RunStatus.Done, resumedRun.Status);
        Assert.Equal(uninterrupted.Wer, resumed.Wer);
        Assert.Equal(uninterrupted.Hypotheses, resumed.Hypotheses);
    }

    private static async Task<((double Wer, string[] Hypotheses), Run)> Hypotheses(string db, string sweep)
    {
        await using var store = await ResultsStore.OpenReadOnlyAsync(db);
        var run = Assert.Single(await store.ListRunsAsync((await store.GetSweepAsync(sweep))!.Id));
        var evaluation = Assert.Single(await store.GetEvaluationsAsync(run.Id));
        var utterances = await store.GetUtterancesAsync(evaluation.Id, new UtteranceQuery { ByErrors = false, Take = 10_000 });
        return ((evaluation.Wer, utterances.Select(u => $"{u.UtteranceId}: {u.Hypothesis}").ToArray()), run);
    }
}

internal static class PathExtensions
{
    public static string EnsureExists(this string directory)
    {
        Directory.CreateDirectory(directory);
        return directory;
    }
}
