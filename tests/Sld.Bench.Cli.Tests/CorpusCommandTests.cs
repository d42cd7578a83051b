// `sldbench corpus synth|check|prepare` and `sldbench features` as scripts see them: exit codes, what they
// print, the files they leave. One tiny synthetic corpus is made for the class; a manifest with broken entries
// checks the skip threshold; a real sldbench process is killed mid-preparation and the next run resumes.
using Sld.Bench.Tensors;
using System.Diagnostics;
using Sld.Bench.Cli;
using Sld.Bench.Data;
using Sld.Bench.Data.Synth;
using Sld.Bench.Features;

namespace Sld.Bench.Cli.Tests;

public sealed class TinyCorpus : IDisposable
{
    public TinyCorpus()
    {
        Root = Path.Combine(Path.GetTempPath(), "sldbench-cli-tests", Guid.NewGuid().ToString("N")[..12]);
        var (code, stdout, stderr) = Cli.Capture("corpus", "synth", "--preset", "tiny", "--seed", "5", "-o", Path.Combine(Root, "corpus"));
        SynthOutput = stdout;
        if (code != ExitCodes.Success) throw new InvalidOperationException($"corpus synth failed ({code}): {stderr}");
    }

    public string Root { get; }

    public string Corpus => Path.Combine(Root, "corpus");

    public string SynthOutput { get; }

    public string Manifest(string split) => Path.Combine(Corpus, split + ".jsonl");

    public string Scratch(string name)
    {
        var path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a killed child process may still be closing files; the temp cleaner takes the rest
        }
    }
}

[Collection(ConsoleCollection.Name)]
public class CorpusCommandTests(TinyCorpus tiny) : IClassFixture<TinyCorpus>
{
    [Fact]
    public void SynthWritesEverySplitAndLeavesAFinishedCorpusAlone()
    {
        Assert.Contains("corpus tiny (seed 5)", tiny.SynthOutput);
        Assert.Matches(@"test-nonnative\s+6 utterances", tiny.SynthOutput);
        Assert.Contains("test-noisy at 10 dB SNR", tiny.SynthOutput);
        foreach (var split in SynthCorpus.Splits) Assert.True(File.Exists(tiny.Manifest(split)), split);

        var (code, stdout, _) = Cli.Capture("corpus", "synth", "--preset", "tiny", "--seed", "5", "-o", tiny.Corpus);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(tiny.SynthOutput, stdout);
        var (bad, _, stderr) = Cli.Capture("corpus", "synth", "--preset", "huge", "-o", tiny.Scratch("x"));
        Assert.Equal(ExitCodes.InvalidInput, bad);
        Assert.Contains("unknown corpus preset 'huge'", stderr);
    }

    [Fact]
    public void CheckListsEverySkippedUtteranceAndEnforcesTheThreshold()
    {
        var dir = tiny.Scratch("check");
        var manifest = Path.Combine(dir, "test.jsonl");
        var good = JsonlManifest.Read(tiny.Manifest("test")).Utterances;
        var broken = Path.Combine(dir, "broken.flac");
        File.WriteAllBytes(broken, File.ReadAllBytes(good[0].AudioPath)[..200]);
        JsonlManifest.Write(manifest, [.. good, good[1] with { Id = "missing", AudioPath = Path.Combine(dir, "missing.flac") },
            good[2] with { Id = "broken", AudioPath = broken }, good[3] with { Id = "silent", Text = " " }]);

        var (code, stdout, stderr) = Cli.Capture("corpus", "check", $"test={manifest}", "train=" + tiny.Manifest("train"));
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"skipped [test] missing ({Path.Combine(dir, "missing.flac")}): the file does not exist", stdout);
        Assert.Contains($"skipped [test] broken ({broken}):", stdout);
        Assert.Contains("skipped [test] silent", stdout);
        Assert.Contains("test: 6 usable, 3 skipped (33.3 %)", stdout);
        Assert.Contains("train: 24 usable, 0 skipped (0.0 %)", stdout);
        Assert.Contains("split test: 3 of 9 utterances skipped (33.3 %), more than the allowed 1.0 %", stderr);

        var skipList = Path.Combine(dir, "skipped.tsv");
        var (lenient, _, _) = Cli.Capture("corpus", "check", $"test={manifest}", "--max-skip-fraction", "0.5", "--skip-list", skipList);
        Assert.Equal(ExitCodes.Success, lenient);
        Assert.Equal(4, File.ReadAllLines(skipList).Length);

        var (missing, _, error) = Cli.Capture("corpus", "check", "dev=" + Path.Combine(dir, "nothing-here"));
        Assert.Equal(ExitCodes.InvalidInput, missing);
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public void PrepareCachesFeaturesOnceAndWritesCmvnStatistics()
    {
        var cache = tiny.Scratch("cache");
        string[] args = ["corpus", "prepare", tiny.Manifest("train"), "dev=" + Path.Combine(tiny.Corpus, "dev"), "--cache", cache,
            "--kind", "mfcc", "--deltas", "1", "--cmvn-split", "train"];
        var (code, stdout, stderr) = Cli.Capture(args);
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("32 computed, 0 already cached (mfcc sr=16000 bins=23", stdout);
        Assert.Contains("global CMVN statistics over train", stdout);
        var (again, second, _) = Cli.Capture(args);
        Assert.Equal(ExitCodes.Success, again);
        Assert.Contains("0 computed, 32 already cached", second);

        using var opened = FeatureCache.Open(cache, new FeatureConfig { Kind = FeatureKind.Mfcc, DeltaOrder = 1 });
        Assert.Equal(32, opened.Count);
        Assert.True(File.Exists(Path.Combine(opened.Directory, "cmvn-train.json")));
    }

    [Fact]
    public void PrepareFailsBeforeComputingAnythingWhenReadingAlreadyLostTooMuch()
    {
        var dir = tiny.Scratch("prepare-bad");
        var good = JsonlManifest.Read(tiny.Manifest("test")).Utterances;
        var broken = Path.Combine(dir, "broken.flac");
        File.WriteAllBytes(broken, File.ReadAllBytes(good[0].AudioPath)[..300]);
        var manifest = Path.Combine(dir, "test.jsonl");
        JsonlManifest.Write(manifest, [.. good, good[1] with { Id = "silent", Text = "" }, good[2] with { Id = "broken", AudioPath = broken }]);
        var cache = Path.Combine(dir, "cache");

        var (code, _, stderr) = Cli.Capture("corpus", "prepare", manifest, "--cache", cache);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("split test: 1 of 8 utterances skipped (12.5 %)", stderr);
        Assert.Empty(Directory.GetFiles(cache, "shard-*", SearchOption.AllDirectories));

        // Allowed more, the audio that does not decode is found by the feature stage and listed with the rest.
        var (lenient, stdout, _) = Cli.Capture("corpus", "prepare", manifest, "--cache", cache, "--max-skip-fraction", "0.3");
        Assert.Equal(ExitCodes.Success, lenient);
        Assert.Contains("test: 6 usable, 2 skipped (25.0 %)", stdout);
        var skipList = File.ReadAllLines(Directory.GetFiles(cache, "skipped.tsv", SearchOption.AllDirectories).Single());
        Assert.Equal(["split\tid", "test\tsilent", "test\tbroken"], skipList.Select(l => string.Join('\t', l.Split('\t').Take(2))));
    }

    [Fact]
    public void AKilledPreparationResumesWhereItStopped()
    {
        // Enough distinct audio (80 x 8 s) that the child is still busy when its third shard appears.
        const int count = 80;
        var dir = tiny.Scratch("killed");
        var random = new Random(1);
        var utterances = Enumerable.Range(0, count).Select(i =>
        {
            var path = Path.Combine(dir, $"n{i}.flac");
            Sld.Bench.Audio.AudioFile.Write(path, Enumerable.Range(0, 8 * 16000).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), 16000);
            return new Utterance($"n{i}", "s", "train", path, "NOISE");
        }).ToList();
        var manifest = Path.Combine(dir, "train.jsonl");
        JsonlManifest.Write(manifest, utterances);
        var cache = Path.Combine(dir, "cache");
        string[] args = ["corpus", "prepare", manifest, "--cache", cache, "--shard-size", "1"];

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        using (var child = Process.Start(start)!)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DoneShards(cache) < 3 && !child.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(2);
            var finished = child.HasExited;
            if (!finished) child.Kill(); // SIGKILL to the app itself (dotnet runs it in-process): no cleanup runs
            child.WaitForExit();
            Assert.False(finished, $"sldbench finished before it could be killed: {child.StandardError.ReadToEnd()}");
        }
        var doneBefore = DoneShards(cache);
        Assert.InRange(doneBefore, 3, count - 1);

        var (code, stdout, stderr) = Cli.Capture(args);
        Assert.True(code == ExitCodes.Success, stderr);
        var match = System.Text.RegularExpressions.Regex.Match(stdout, @"(\d+) computed, (\d+) already cached");
        var (computed, reused) = (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
        // Every shard with a done marker is reused; at most the shard being written when the kill came is lost.
        Assert.Equal(count, computed + reused);
        Assert.InRange(reused, doneBefore, doneBefore + 1);
        using var opened = FeatureCache.Open(cache, new FeatureConfig());
        Assert.Equal(count, opened.Count);
        Assert.Empty(Directory.GetFiles(opened.Directory, "*.tmp"));
    }

    [Fact]
    public void FeaturesWritesWhatNumpyAndTheCacheAgreeOn()
    {
        var dir = tiny.Scratch("features");
        var audio = JsonlManifest.Read(tiny.Manifest("dev")).Utterances[0].AudioPath;
        var output = Path.Combine(dir, "f.npy");
        var (code, stdout, _) = Cli.Capture("features", audio, "-o", output);
        Assert.Equal(ExitCodes.Success, code);
        var (data, shape) = NpyFile.Read(output);
        Assert.Equal(80, shape[1]);
        Assert.Contains($"wrote {output}: {shape[0]} frames x 80 (fbank sr=16000", stdout);
        using (var extractor = new FeatureExtractor(new FeatureConfig()))
        using (var expected = extractor.Compute(Sld.Bench.Audio.AudioFile.Read(audio)))
            Assert.Equal(expected.ToArray<float>(), data);

        var (mfcc, _, _) = Cli.Capture("features", audio, "-o", output, "--kind", "mfcc", "--deltas", "2", "--cmvn", "utterance", "--offset", "0.2", "--duration", "1");
        Assert.Equal(ExitCodes.Success, mfcc);
        Assert.Equal([98L, 39], NpyFile.Read(output).shape);

        var (missing, _, error) = Cli.Capture("features", Path.Combine(dir, "nope.wav"), "-o", output);
        Assert.Equal(ExitCodes.InvalidInput, missing);
        Assert.Contains("nope.wav: the file does not exist", error);
        var (global, _, why) = Cli.Capture("features", audio, "-o", output, "--cmvn", "global");
        Assert.Equal(ExitCodes.InvalidInput, global);
        Assert.Contains("training-set statistics", why);
        var (badConfig, _, reason) = Cli.Capture("features", audio, "-o", output, "--kind", "mfcc", "--num-ceps", "40");
        Assert.Equal(ExitCodes.InvalidInput, badConfig);
        Assert.Contains("num_ceps (40) cannot exceed num_mel_bins (23)", reason);
    }

    private static int DoneShards(string cache) =>
        Directory.Exists(cache) ? Directory.GetFiles(cache, "*.done", SearchOption.AllDirectories).Length : 0;
}
