// Loading a corpus from an experiment's YAML data section, bad input included: one split per format (a
// LibriSpeech folder, a Kaldi data dir, a JSONL manifest), with every kind of bad utterance the harness must
// survive (missing, corrupt, truncated and zero-length audio, empty and non-UTF-8 transcripts, a repeated id).
// Each is skipped and reported with its id and path, counted per split, and too many is one clear failure.
using System.Text;
using Sld.Bench.Audio;
using Sld.Bench.Data;
using Sld.Bench.Shared.Config;
using Sld.Bench.Tests.Audio;

namespace Sld.Bench.Tests.Data;

public class CorpusLoaderTests
{
    private static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private static void Write(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    private static void Speech(string path, double seconds = 0.3)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AudioFile.Write(path, Signals.Sine(300, 16000, seconds), 16000);
    }

    /// <summary>The three splits on disk; returns the data section's YAML naming them.</summary>
    private static string MakeCorpus(TempDirectory dir, double maxSkipFraction)
    {
        var chapter = dir.File("libri/1/10");
        Speech(Path.Combine(chapter, "1-10-0000.flac"));
        Speech(Path.Combine(chapter, "1-10-0001.flac"));
        Write(Path.Combine(chapter, "1-10-0003.flac"), "fLaC but nothing after it"u8.ToArray());
        Speech(Path.Combine(chapter, "1-10-0004.flac"));
        Speech(Path.Combine(chapter, "1-10-0005.flac"));
        Write(Path.Combine(chapter, "1-10.trans.txt"), [
            .. "1-10-0000 FIRST GOOD ONE\n1-10-0001 SECOND GOOD ONE\n1-10-0002 NO AUDIO FILE\n1-10-0003 CORRUPT AUDIO\n"u8,
            .. "1-10-0004 CAF"u8, 0xC9, 0x20, 0xFF, (byte)'\n', .. "1-10-0005\n"u8,
        ]);

        Speech(dir.File("kaldi/wav/d1.wav"));
        Speech(dir.File("kaldi/wav/d2.wav"), 1.0);
        File.WriteAllBytes(dir.File("kaldi/wav/d2.wav"), File.ReadAllBytes(dir.File("kaldi/wav/d2.wav"))[..20000]);
        AudioFile.Write(dir.File("kaldi/wav/d3.wav"), [], 16000);
        Speech(dir.File("kaldi/wav/d4.wav"));
        Write(dir.File("kaldi/text"), "d1 ONE\nd2 TWO\nd3 THREE\nd4 FOUR\n");
        Write(dir.File("kaldi/wav.scp"), "d1 wav/d1.wav\nd2 wav/d2.wav\nd3 wav/d3.wav\nd4 wav/d4.wav\n");
        Write(dir.File("kaldi/utt2spk"), "d1 s1\nd2 s1\nd3 s2\nd4 s2\n");

        Speech(dir.File("ood/t1.flac"));
        Speech(dir.File("ood/t2.flac"));
        JsonlManifest.Write(dir.File("ood.jsonl"), [
            new Utterance("t1", "fr1", "test-ood", dir.File("ood/t1.flac"), "NON NATIVE") { Metadata = Utterance.MetadataOf(("accent", "fr")) },
            new Utterance("1-10-0000", "fr1", "test-ood", dir.File("ood/t2.flac"), "SAME ID AS A TRAINING UTTERANCE"),
        ]);

        return $$"""
                 splits:
                   train: {path: {{dir.File("libri")}}}
                   dev: {path: {{dir.File("kaldi")}}, format: kaldi}
                   test-ood: {path: {{dir.File("ood.jsonl")}}}
                 max_skip_fraction: {{maxSkipFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
                 normalization: {case: lower}
                 """;
    }

    private static DataConfig Bind(string yaml) => ConfigBinder.Bind<DataConfig>(ConfigYaml.Parse(yaml, "data.yaml"));

    [Fact]
    public void EveryKindOfBadInputIsSkippedReportedAndCountedPerSplit()
    {
        using var dir = new TempDirectory();
        var config = Bind(MakeCorpus(dir, maxSkipFraction: 0.7));
        Assert.Equal(["train", "dev", "test-ood"], config.Splits.Keys);
        Assert.Equal(CorpusFormat.Kaldi, config.Splits["dev"].Format);
        Assert.Equal(LetterCase.Lower, config.Normalization.Case);

        var corpus = CorpusLoader.Load(config, new CorpusLoadOptions { Jobs = 2 });

        Assert.Equal(["1-10-0000", "1-10-0001", "d1", "d4", "t1"], corpus.Utterances.Select(u => u.Id));
        Assert.Equal(["train", "dev", "test-ood"], corpus.SplitNames);
        Assert.Equal("fr", Assert.Single(corpus.Split("test-ood")).Metadata["accent"]);
        var skipped = corpus.Report.Skipped.ToDictionary(s => s.Id);
        Assert.Equal(7, skipped.Count);
        string Reason(string id, string split, string path)
        {
            Assert.Equal((split, path), (skipped[id].Split, skipped[id].Path));
            return skipped[id].Reason;
        }
        var libri = dir.File("libri/1/10");
        Assert.Contains("does not exist", Reason("1-10-0002", "train", Path.Combine(libri, "1-10-0002.flac")));
        Assert.Contains("not a readable audio file", Reason("1-10-0003", "train", Path.Combine(libri, "1-10-0003.flac")));
        Assert.Contains("not valid UTF-8", Reason("1-10-0004", "train", Path.Combine(libri, "1-10.trans.txt")));
        Assert.Contains("empty transcript", Reason("1-10-0005", "train", Path.Combine(libri, "1-10-0005.flac")));
        Assert.Contains("truncated", Reason("d2", "dev", dir.File("kaldi/wav/d2.wav")));
        Assert.Contains("zero length", Reason("d3", "dev", dir.File("kaldi/wav/d3.wav")));
        Assert.Contains("duplicate utterance id (first used in split train", Reason("1-10-0000", "test-ood", dir.File("ood/t2.flac")));
        Assert.Equal(new Dictionary<string, int> { ["dev"] = 4, ["test-ood"] = 2, ["train"] = 6 }, corpus.Report.ConsideredPerSplit);
        Assert.Equal((4, 2, 1), (corpus.Report.SkippedIn("train"), corpus.Report.SkippedIn("dev"), corpus.Report.SkippedIn("test-ood")));
        Assert.Equal(["train"], corpus.Report.SplitsOver(0.6));
    }

    [Fact]
    public void TooManySkipsFailBeforeAnythingElseWithTheWholeReport()
    {
        using var dir = new TempDirectory();
        var config = Bind(MakeCorpus(dir, maxSkipFraction: 0.01));
        var error = Assert.Throws<TooManySkippedUtterancesException>(() => CorpusLoader.Load(config));
        Assert.Contains("split train: 4 of 6 utterances skipped (66.7 %), more than the allowed 1.0 %", error.Message);
        Assert.Contains("split dev: 2 of 4", error.Message);
        Assert.Contains("split test-ood: 1 of 2", error.Message);
        Assert.Equal(7, error.Report.Skipped.Count);

        // Without decoding, only the transcript and id problems are known yet; a later stage adds its own.
        var read = CorpusLoader.Read(config.Splits, new CorpusLoadOptions { DecodeAudio = false });
        Assert.Equal(["1-10-0004", "1-10-0005", "1-10-0000"], read.Report.Skipped.Select(s => s.Id));
        var later = read.Report.With([new SkippedUtterance("dev", "d3", dir.File("kaldi/wav/d3.wav"), "zero length")]);
        Assert.Equal((4, 1), (later.ConsideredPerSplit["dev"], later.SkippedIn("dev")));
        Assert.Throws<ArgumentException>(() => read.Report.With([new SkippedUtterance("nowhere", "x", "/x", "?")]));
    }

    [Fact]
    public void AMissingOrEmptySplitIsAClearErrorAndTyposInTheYamlAreNamed()
    {
        using var dir = new TempDirectory();
        Write(dir.File("empty.jsonl"), "");
        var empty = Assert.Throws<InvalidDataException>(() => CorpusLoader.Load(Bind($"splits:\n  dev: {{path: {dir.File("empty.jsonl")}}}\n")));
        Assert.Contains("split dev", empty.Message);
        Assert.Contains("holds no utterances", empty.Message);
        Assert.Throws<FileNotFoundException>(() => CorpusLoader.Load(Bind($"splits:\n  dev: {{path: {dir.File("absent")}}}\n")));

        var typo = Assert.Throws<ConfigException>(() => Bind("splits:\n  train: {path: x, fromat: kaldi}\n"));
        Assert.Contains("data.yaml:2:", typo.Message);
        Assert.Contains("fromat", typo.Message);
    }
}
