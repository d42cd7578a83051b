// The three corpus formats become the same utterances: LibriSpeech folders, Kaldi data dirs (with segments,
// and with piped wav.scp entries refused by name), and JSONL manifests that round-trip through the writer.
// Bad transcripts (empty, not UTF-8) and repeated ids are skipped with the id and the file they came from.
using System.Text;
using Sld.Bench.Data;

namespace Sld.Bench.Tests.Data;

public class CorpusReaderTests
{
    private static void Write(string path, string text) => WriteBytes(path, Encoding.UTF8.GetBytes(text));

    private static void WriteBytes(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void LibriSpeechFoldersGiveSpeakerChapterAndAudioPaths()
    {
        using var dir = new TempDirectory();
        Write(dir.File("103/1240/103-1240.trans.txt"), "103-1240-0000 CHAPTER ONE\n103-1240-0001 MISSUS RACHEL LYNDE\n");
        Write(dir.File("103/1240/103-1240-0000.flac"), "x");
        Write(dir.File("19/198/19-198.trans.txt"), "19-198-0000   NORTHANGER ABBEY\r\n\n19-198-0001 \n");
        Write(dir.File("19/198/19-198-0000.wav"), "x");

        var result = LibriSpeechReader.Read(dir.Path, "dev-clean");
        Assert.Equal(["103-1240-0000", "103-1240-0001", "19-198-0000"], result.Utterances.Select(u => u.Id));
        var first = result.Utterances[0];
        Assert.Equal(("103", "dev-clean", "CHAPTER ONE", "1240"), (first.Speaker, first.Split, first.Text, first.Metadata["chapter"]));
        Assert.Equal(dir.File("103/1240/103-1240-0000.flac"), first.AudioPath);
        Assert.Equal(dir.File("19/198/19-198-0000.wav"), result.Utterances[2].AudioPath); // .wav when there is no .flac
        Assert.Equal("NORTHANGER ABBEY", result.Utterances[2].Text);
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal(("dev-clean", "19-198-0001"), (skipped.Split, skipped.Id));
        Assert.Contains("empty transcript", skipped.Reason);
        Assert.Equal(CorpusFormat.LibriSpeech, Corpus.Detect(dir.Path));
    }

    [Fact]
    public void TranscriptsThatAreNotUtf8AreSkippedLineByLine()
    {
        using var dir = new TempDirectory();
        var bytes = Encoding.UTF8.GetBytes("1-2-0000 GOOD LINE\n1-2-0001 CAF").Concat(new byte[] { 0xC9, 0x20, 0xFF })
            .Concat(Encoding.UTF8.GetBytes("\n1-2-0002 NAÏVE AND FINE\n")).ToArray();
        WriteBytes(dir.File("1/2/1-2.trans.txt"), bytes);

        var result = LibriSpeechReader.Read(dir.Path, "train");
        Assert.Equal(["1-2-0000", "1-2-0002"], result.Utterances.Select(u => u.Id));
        Assert.Equal("NAÏVE AND FINE", result.Utterances[1].Text);
        var bad = Assert.Single(result.Skipped);
        Assert.Equal("1-2-0001", bad.Id);
        Assert.Equal(dir.File("1/2/1-2.trans.txt"), bad.Path);
        Assert.Contains("line 2", bad.Reason);
        Assert.Contains("UTF-8", bad.Reason);
    }

    [Fact]
    public void KaldiDataDirsResolveSegmentsSpeakersAndPaths()
    {
        using var dir = new TempDirectory();
        var data = dir.File("data/train");
        Write(Path.Combine(data, "wav.scp"), "rec1 audio/rec1.flac\nrec2 /abs/rec2.wav\nrec3 sox in.sph -t wav - |\nrec4 feats.ark:1234\n");
        Write(Path.Combine(data, "segments"), "u1 rec1 0.50 2.25\nu2 rec2 3 -1\nu3 rec3 0 1\nu4 rec4 0 1\nu5 rec9 0 1\nu6 rec1 2 1\n");
        Write(Path.Combine(data, "utt2spk"), "u1 spkA\nu2 spkB\nu3 spkA\nu4 spkA\nu5 spkA\nu6 spkA\n");
        Write(Path.Combine(data, "text"), "u1 HELLO WORLD\nu2 SECOND ONE\nu3 PIPED\nu4 ARCHIVED\nu5 NO RECORDING\nu6 BACKWARDS\nu7 NO SEGMENT\n");

        var result = KaldiDataDirReader.Read(data, "train");
        Assert.Equal(["u1", "u2"], result.Utterances.Select(u => u.Id));
        var u1 = result.Utterances[0];
        Assert.Equal((0.5, 1.75, "spkA", "rec1"), (u1.Offset, u1.Duration!.Value, u1.Speaker, u1.Metadata["recording"]));
        Assert.Equal(Path.Combine(data, "audio/rec1.flac"), u1.AudioPath);
        Assert.Equal(("/abs/rec2.wav", 3.0, (double?)null), (result.Utterances[1].AudioPath, result.Utterances[1].Offset, result.Utterances[1].Duration));
        var reasons = result.Skipped.ToDictionary(s => s.Id, s => s.Reason);
        Assert.Contains("piped command", reasons["u3"]);
        Assert.Contains("archive", reasons["u4"]);
        Assert.Contains("rec9", reasons["u5"]);
        Assert.Contains("empty or negative", reasons["u6"]);
        Assert.Contains("segments", reasons["u7"]);
        Assert.Equal(CorpusFormat.Kaldi, Corpus.Detect(data));
        File.Delete(Path.Combine(data, "utt2spk"));
        Assert.Contains("utt2spk is missing", Assert.Throws<FileNotFoundException>(() => KaldiDataDirReader.Read(data, "train")).Message);
    }

    [Fact]
    public void KaldiDirsWithoutSegmentsUseWholeFiles()
    {
        using var dir = new TempDirectory();
        Write(dir.File("wav.scp"), "a /data/a.wav\nb /data/b.flac\n");
        Write(dir.File("utt2spk"), "a s1\nb s2\n");
        Write(dir.File("text"), "a ONE\nb\n");
        var result = KaldiDataDirReader.Read(dir.Path, "test");
        var a = Assert.Single(result.Utterances);
        Assert.Equal(("/data/a.wav", (double?)null, "s1"), (a.AudioPath, a.Offset, a.Speaker));
        Assert.Contains("empty transcript", Assert.Single(result.Skipped).Reason);
    }

    [Fact]
    public void JsonlManifestsRoundTripThroughTheWriter()
    {
        using var dir = new TempDirectory();
        var utterances = new[]
        {
            new Utterance("a-1", "spk1", "train", dir.File("audio/a-1.flac"), "THE \"QUOTED\" ONE") { Metadata = Utterance.MetadataOf(("accent", "en-gb"), ("snr_db", "10")) },
            new Utterance("a-2", "spk2", "train", "/elsewhere/a-2.wav", "ÜNÏCÖDE TEXT") { Offset = 1.25, Duration = 3.5 },
        };
        var path = dir.File("train.jsonl");
        JsonlManifest.Write(path, utterances);

        Assert.Contains("\"audio\":\"audio/a-1.flac\"", File.ReadAllText(path)); // relative under the manifest's folder
        var back = JsonlManifest.Read(path);
        Assert.Empty(back.Skipped);
        Assert.Equal(2, back.Utterances.Count);
        for (var i = 0; i < 2; i++) Assert.True(utterances[i].SameAs(back.Utterances[i]), $"{utterances[i]} != {back.Utterances[i]}");
        Assert.Equal("dev", JsonlManifest.Read(path, split: "dev").Utterances[0].Split);
        Assert.Equal(CorpusFormat.Jsonl, Corpus.Detect(path));
    }

    [Fact]
    public void ForeignManifestLinesAreReadOrSkippedWithTheirLineNumber()
    {
        using var dir = new TempDirectory();
        Write(dir.File("m.jsonl"), string.Join('\n',
            "{\"id\": \"x1\", \"audio_filepath\": \"x1.wav\", \"text\": \"OK\", \"duration\": 2.5, \"speaker\": \"s\", \"lang\": \"en\", \"score\": 0.9}",
            "{\"id\": \"x2\", \"audio\": \"x2.wav\"}",
            "not json at all",
            "{\"id\": \"x3\", \"audio\": \"x3.wav\", \"text\": \"   \"}",
            ""));
        var result = JsonlManifest.Read(dir.File("m.jsonl"), "test");
        var x1 = Assert.Single(result.Utterances);
        Assert.Equal((dir.File("x1.wav"), 2.5, "en", "0.9"), (x1.AudioPath, x1.Duration!.Value, x1.Metadata["lang"], x1.Metadata["score"]));
        Assert.Equal(["x2", "line 3", "x3"], result.Skipped.Select(s => s.Id));
        Assert.Contains("lacks text", result.Skipped[0].Reason);
        Assert.Contains("m.jsonl line 3 is not valid JSON", result.Skipped[1].Reason);
        Assert.Contains("empty transcript", result.Skipped[2].Reason);
    }

    [Fact]
    public void LoadingSplitsSkipsRepeatedIdsAcrossSplits()
    {
        using var dir = new TempDirectory();
        JsonlManifest.Write(dir.File("train.jsonl"), [new Utterance("a", "s", "train", dir.File("a.flac"), "ONE"), new Utterance("b", "s", "train", dir.File("b.flac"), "TWO")]);
        JsonlManifest.Write(dir.File("dev.jsonl"), [new Utterance("b", "s", "dev", dir.File("b2.flac"), "TWO AGAIN"), new Utterance("c", "s", "dev", dir.File("c.flac"), "THREE")]);

        var result = Corpus.Load([new("train", new SplitSource(dir.File("train.jsonl"))), new("dev", new SplitSource(dir.File("dev.jsonl"), CorpusFormat.Jsonl))]);
        Assert.Equal(["a", "b", "c"], result.Utterances.Select(u => u.Id));
        var duplicate = Assert.Single(result.Skipped);
        Assert.Equal(("dev", "b", dir.File("b2.flac")), (duplicate.Split, duplicate.Id, duplicate.Path));
        Assert.Contains("duplicate utterance id (first used in split train", duplicate.Reason);
    }
}
