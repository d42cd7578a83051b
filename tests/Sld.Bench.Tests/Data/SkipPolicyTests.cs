// Bad input end to end: every kind of unusable audio is found by the audio check with its id and path, the
// skip report counts per split, and more skips than the threshold (default 1 %) is one clear failure.
using Sld.Bench.Audio;
using Sld.Bench.Data;
using Sld.Bench.Tests.Audio;

namespace Sld.Bench.Tests.Data;

public class SkipPolicyTests
{
    [Fact]
    public void TheAudioCheckFindsEveryKindOfUnusableAudio()
    {
        using var dir = new TempDirectory();
        AudioFile.Write(dir.File("good.flac"), Signals.Sine(200, 16000, 0.5), 16000);
        AudioFile.Write(dir.File("segmented.wav"), Signals.Sine(200, 16000, 2.0), 16000);
        File.WriteAllBytes(dir.File("corrupt.wav"), "RIFF\u0010\0\0\0WAVEjunkjunkjunk"u8.ToArray());
        AudioFile.Write(dir.File("truncated.wav"), Signals.Sine(200, 16000, 1.0), 16000);
        File.WriteAllBytes(dir.File("truncated.wav"), File.ReadAllBytes(dir.File("truncated.wav"))[..20000]);
        AudioFile.Write(dir.File("zero.wav"), [], 16000);
        AudioFile.Write(dir.File("tiny.wav"), new float[100], 16000);
        Utterance U(string id, string file, double? offset = null, double? duration = null) =>
            new(id, "s", "test", dir.File(file), "WORDS") { Offset = offset, Duration = duration };
        var utterances = new[]
        {
            U("good", "good.flac"), U("segment", "segmented.wav", 0.5, 1.0), U("missing", "missing.flac"), U("corrupt", "corrupt.wav"),
            U("truncated", "truncated.wav"), U("zero", "zero.wav"), U("tiny", "tiny.wav"), U("late", "segmented.wav", 1.9, 1.0),
        };

        var (usable, skipped) = AudioCheck.Run(utterances, jobs: 2);
        Assert.Equal(["good", "segment"], usable.Select(u => u.Id));
        var reasons = skipped.ToDictionary(s => s.Id, s => s.Reason);
        Assert.Contains("does not exist", reasons["missing"]);
        Assert.Contains("not a readable audio file", reasons["corrupt"]);
        Assert.Contains("truncated", reasons["truncated"]);
        Assert.Contains("zero length", reasons["zero"]);
        Assert.Contains("shorter than one 25 ms frame", reasons["tiny"]);
        Assert.Contains("past the end", reasons["late"]);
        Assert.All(skipped, s => Assert.Equal(utterances.Single(u => u.Id == s.Id).AudioPath, s.Path));
    }

    [Fact]
    public void TooManySkipsInAnySplitIsOneClearFailure()
    {
        var kept = Enumerable.Range(0, 199).Select(i => new Utterance($"t{i}", "s", "train", "/a.flac", "X"))
            .Concat(Enumerable.Range(0, 9).Select(i => new Utterance($"d{i}", "s", "dev", "/a.flac", "X"))).ToList();
        var skipped = new List<SkippedUtterance> { new("train", "t-bad", "/bad.flac", "the file does not exist") };
        var report = SkipReport.Of(kept, skipped);
        Assert.Equal(200, report.ConsideredPerSplit["train"]);
        Assert.Equal(0.005, report.FractionIn("train"), 12);
        report.EnsureWithin(SkipReport.DefaultMaxSkipFraction); // 0.5 % is within 1 %

        var worse = SkipReport.Of(kept, [.. skipped, new("dev", "d-bad", "/d.flac", "truncated: ...")]);
        var error = Assert.Throws<TooManySkippedUtterancesException>(() => worse.EnsureWithin(0.01));
        Assert.Contains("split dev: 1 of 10 utterances skipped (10.0 %), more than the allowed 1.0 %", error.Message);
        Assert.Contains("d-bad (/d.flac): truncated", error.Message);
        Assert.DoesNotContain("split train", error.Message);
        worse.EnsureWithin(0.2);

        using var dir = new TempDirectory();
        worse.Write(dir.File("skipped.tsv"));
        Assert.Equal(["split\tid\tpath\treason", "train\tt-bad\t/bad.flac\tthe file does not exist", "dev\td-bad\t/d.flac\ttruncated: ..."],
            File.ReadAllLines(dir.File("skipped.tsv")));
        Assert.Contains("dev: 9 usable, 1 skipped (10.0 %)", worse.Summary());
    }
}
