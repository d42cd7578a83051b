// Reading trn and Kaldi transcripts strictly (errors name file and line), writing trn that sclite reads
// back to the same speakers, and the scoring files: JSONL that round-trips into UtteranceScore, wer-summary,
// errs, and ref.trn/hyp.trn that sclite rescores to the same totals.
using System.Text;
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Tests.Scoring;

public sealed class TranscriptAndFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("transcripts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadsTrnAndKaldiText()
    {
        var trn = Write("a.trn", "\uFEFFhello  world (spk1-utt1)\r\n\n(spk2_x-utt2)\nsingle (nodash)\n");
        Assert.Equal(TranscriptFormat.Trn, TranscriptFile.Detect(trn));
        Assert.Equal(
            [new TranscriptEntry("spk1-utt1", "spk1", "hello world", 1), new TranscriptEntry("spk2_x-utt2", "spk2_x", "", 3),
             new TranscriptEntry("nodash", "nodash", "single", 4)],
            TranscriptFile.Read(trn, TranscriptFormat.Trn));

        var kaldi = Write("text", "1089-134686-0000 he hoped there\n1089-134686-0001\n");
        Assert.Equal(TranscriptFormat.Kaldi, TranscriptFile.Detect(kaldi));
        Assert.Equal(
            [new TranscriptEntry("1089-134686-0000", "1089", "he hoped there", 1), new TranscriptEntry("1089-134686-0001", "1089", "", 2)],
            TranscriptFile.Read(kaldi, TranscriptFormat.Kaldi));
        Assert.Equal("ab", TranscriptFile.SpeakerOf("ab_cd"));
    }

    [Fact]
    public void BadInputIsAnErrorNamingFileAndLine()
    {
        var e = Assert.Throws<TranscriptFormatException>(() => TranscriptFile.Read(Write("m.trn", "ok (s-1)\nno id here\n"), TranscriptFormat.Trn));
        Assert.Equal((2, $"{_dir}/m.trn:2: expected 'text (utterance-id)': the line does not end with an id in parentheses"), (e.Line, e.Message));

        e = Assert.Throws<TranscriptFormatException>(() => TranscriptFile.Read(Write("d.trn", "a (s-1)\nb (s-2)\nc (s-1)\n"), TranscriptFormat.Trn));
        Assert.Equal($"{_dir}/d.trn:3: utterance 's-1' appears again (first on line 1)", e.Message);

        e = Assert.Throws<TranscriptFormatException>(() => TranscriptFile.Read(Write("e.trn", "a ( )\n"), TranscriptFormat.Trn));
        Assert.Contains("e.trn:1: the utterance id '( )' is empty", e.Message);

        var latin1 = Write("l.trn", [.. "ok (s-1)\n"u8, .. "caf"u8, 0xE9, .. " (s-2)\n"u8]);
        e = Assert.Throws<TranscriptFormatException>(() => TranscriptFile.Read(latin1, TranscriptFormat.Trn));
        Assert.Equal($"{latin1}:2: not valid UTF-8 (byte 0xE9 at column 4)", e.Message);

        e = Assert.Throws<TranscriptFormatException>(() => TranscriptFile.Read(Path.Combine(_dir, "missing.trn"), TranscriptFormat.Trn));
        Assert.StartsWith($"{_dir}/missing.trn: cannot read the file", e.Message);
    }

    [Fact]
    public void TrnIdsKeepTheSpeakerRecoverable()
    {
        Assert.Equal("1089-134686-0000", TranscriptFile.TrnId("1089-134686-0000", "1089"));
        Assert.Equal("alice-utt7", TranscriptFile.TrnId("utt7", "alice"));
        Assert.Throws<ArgumentException>(() => TranscriptFile.TrnId("u", "a-b"));
        Assert.Throws<ArgumentException>(() => TranscriptFile.TrnId("u (1)", "a"));
        var sb = new StringWriter();
        TranscriptFile.WriteTrn(sb, [("u1", "spk", " a  b "), ("u2", "spk", "")]);
        Assert.Equal("a b (spk-u1)\n(spk-u2)\n", sb.ToString());
        var path = Write("w.trn", sb.ToString());
        Assert.Equal(["spk", "spk"], TranscriptFile.Read(path, TranscriptFormat.Trn).Select(x => x.Speaker));
        var kaldi = new StringWriter();
        TranscriptFile.WriteKaldi(kaldi, [("u1", "a  b"), ("u2", " ")]);
        Assert.Equal("u1 a b\nu2\n", kaldi.ToString());
    }

    [Fact]
    public void ScoringFilesRoundTripAndRescoreWithScliteToTheSameTotals()
    {
        var score = ScliteParityTests.ScoreFiles(Testing.RepoPaths.Fixture("scoring/ref.trn"), Testing.RepoPaths.Fixture("scoring/hyp.trn"));
        var paths = ScoringFiles.WriteAll(score, Path.Combine(_dir, "out"));
        Assert.Equal(ScoringFiles.FileNames, paths.Select(Path.GetFileName));

        using (var reader = new StreamReader(paths[2]))
        {
            var back = ScoringFiles.ReadJsonl(reader);
            Assert.Equal(score.Utterances, back);
            Assert.Equal(score.Words, CorpusScorer.FromUtterances(score.Options, back).Words);
        }
        var firstLine = File.ReadLines(paths[2]).First();
        Assert.StartsWith("{\"id\":\"alice-000\",\"speaker\":\"alice\",\"subset\":null,\"durationSeconds\":null,\"reference\":\"a b\",\"hypothesis\":\"b a\",\"wordOps\":\"DCI\",\"words\":{\"correct\":1,\"substitutions\":0,\"deletions\":1,\"insertions\":1,", firstLine);

        var summary = File.ReadAllText(paths[3]);
        Assert.Contains("# normalization: none\n", summary);
        Assert.Contains("%WER 31.51 [ 161 / 511, 46 ins, 52 del, 63 sub ]\n", summary);
        Assert.Contains("| Sum/Avg |    27     511 |  77.5   12.3   10.2    9.0   31.5   92.6 |", summary);

        var errs = File.ReadAllText(paths[4]);
        Assert.Contains("id: (alice-001)\nScores: (#C #S #D #I) 2 0 3 3\nREF:  a b c d e * * * \nHYP:  * * * d e x y z \nEval: D D D     I I I \n", errs);
        Assert.Contains("id: (bob-010)\nScores: (#C #S #D #I) 0 0 0 0\n\n", errs);
        Assert.Contains("\nDELETIONS: count ref\n", errs);

        var report = File.ReadAllText(paths[5]);
        Assert.Contains("\"kaldiWer\": \"%WER 31.51 [ 161 / 511, 46 ins, 52 del, 63 sub ]\"", report);

        // Everything needed to rescore independently: sclite on the written trn files gives the same totals.
        var sclite = ScliteRun.Score(Path.Combine(_dir, "out")).SummaryRows("raw")["Sum"];
        Assert.Equal(["27", "511", "396", "63", "52", "46", "161", "25"], sclite);
    }
}
