// `sldbench score` on the scoring fixture: the sclite table and Kaldi line it prints, the JSON and files it
// writes, the same totals as `sctk sclite` on the same files, Kaldi text input, and clear errors (missing or
// extra utterances named, malformed lines and bad UTF-8 located by file:line).
using System.Text;
using System.Text.Json;
using Sld.Bench.Testing;

namespace Sld.Bench.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ScoreCommandTests : IDisposable
{
    private static readonly string Ref = RepoPaths.Fixture("scoring/ref.trn");
    private static readonly string Hyp = RepoPaths.Fixture("scoring/hyp.trn");
    private readonly string _dir = Directory.CreateTempSubdirectory("score-command-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string InDir(string name) => Path.Combine(_dir, name);

    [Fact]
    public void ScoresTheFixtureLikeSclite()
    {
        var json = InDir("report.json");
        var (code, stdout, stderr) = Cli.Capture("score", "--ref", Ref, "--hyp", Hyp, "--json", json, "--dir", InDir("files"), "--normalization", "lowercase+punct");
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains($"ref  {Ref} (trn, 27 utterances)", stdout);
        Assert.Contains("normalization: lowercase+punct; alignment costs: sclite", stdout);
        Assert.Contains("| Sum/Avg |    27     511 |  77.5   12.3   10.2    9.0   31.5   92.6 |", stdout);
        Assert.Contains("%WER 31.51 [ 161 / 511, 46 ins, 52 del, 63 sub ]\n", stdout);
        Assert.Contains("failures: 1 empty, 4 insertion runs, 1 loops, 1 truncated (6 of 27 utterances)", stdout);

        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var words = report.RootElement.GetProperty("words");
        Assert.Equal("lowercase+punct", report.RootElement.GetProperty("normalization").GetString());
        var ours = new[] { "correct", "substitutions", "deletions", "insertions" }.Select(k => words.GetProperty(k).GetInt32()).ToArray();
        Assert.Equal([396, 63, 52, 46], ours);
        Assert.All(new[] { "ref.trn", "hyp.trn", "utterances.jsonl", "wer-summary", "errs", "report.json" },
            f => Assert.True(File.Exists(Path.Combine(_dir, "files", f)), f));

        // sclite on the very same files.
        File.Copy(Ref, InDir("ref.trn"));
        File.Copy(Hyp, InDir("hyp.trn"));
        var sclite = ExternalTool.RunSctkIn(_dir, null, "sclite", "-r", "ref.trn", "trn", "-h", "hyp.trn", "trn", "-i", "rm", "-s", "-e", "utf-8", "-o", "rsum", "stdout", "-f", "0");
        var sum = sclite.Split('\n').Single(l => l.Contains("| Sum ")).Split('|', StringSplitOptions.TrimEntries);
        Assert.Equal("27 511", string.Join(' ', sum[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal([396, 63, 52, 46, 161, 25], sum[3].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
    }

    [Fact]
    public void ReadsKaldiTextAndOffersEqualCosts()
    {
        File.WriteAllText(InDir("text"), ToKaldi(Ref));
        File.WriteAllText(InDir("hyp"), ToKaldi(Hyp));
        var (code, stdout, _) = Cli.Capture("score", "--ref", InDir("text"), "--hyp", InDir("hyp"));
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("(kaldi text, 27 utterances)", stdout);
        Assert.Contains("%WER 31.51 [ 161 / 511, 46 ins, 52 del, 63 sub ]", stdout);

        // Equal costs give the minimum edit distance (160, checked with an independent edit-distance script).
        (code, stdout, _) = Cli.Capture("score", "--ref", InDir("text"), "--hyp", InDir("hyp"), "--format", "kaldi", "--costs", "levenshtein");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("%WER 31.31 [ 160 / 511,", stdout);
    }

    [Fact]
    public void NormalizeTreatsReferencesAndHypothesesAlikeAndRecordsHow()
    {
        File.WriteAllText(InDir("ref.txt"), "u1 Hello, World! It's 3.5 km.\nu2 \"Quoted\" words -- here\n");
        File.WriteAllText(InDir("hyp.txt"), "u1 hello world it's 3.5 km\nu2 quoted WORDS here\n");
        var (asGiven, stdout, _) = Cli.Capture("score", "--ref", InDir("ref.txt"), "--hyp", InDir("hyp.txt"));
        Assert.Equal(ExitCodes.Success, asGiven);
        Assert.DoesNotContain("%WER 0.00", stdout);

        var json = InDir("normalized.json");
        var (code, normalized, stderr) = Cli.Capture("score", "--ref", InDir("ref.txt"), "--hyp", InDir("hyp.txt"), "--normalize", "--case", "lower", "--json", json);
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("%WER 0.00 [ 0 / 8, 0 ins, 0 del, 0 sub ]", normalized);
        var how = new Sld.Bench.Data.TextNormalization { Case = Sld.Bench.Data.LetterCase.Lower }.Describe();
        Assert.Contains($"normalization: {how};", normalized);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(how, report.RootElement.GetProperty("normalization").GetString());

        var (both, _, error) = Cli.Capture("score", "--ref", InDir("ref.txt"), "--hyp", InDir("hyp.txt"), "--normalize", "--normalization", "mine");
        Assert.Equal(ExitCodes.InvalidInput, both);
        Assert.Contains("--normalization describes texts normalised elsewhere", error);
    }

    [Fact]
    public void MissingAndExtraUtterancesAreNamed()
    {
        var lines = File.ReadAllLines(Hyp).ToList();
        lines.RemoveAt(3);
        lines.RemoveAt(0);
        lines.Add("surprise (zed-999)");
        File.WriteAllLines(InDir("hyp.trn"), lines);
        var (code, _, stderr) = Cli.Capture("score", "--ref", Ref, "--hyp", InDir("hyp.trn"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"error: {InDir("hyp.trn")} misses 2 utterance(s) of the reference: alice-000, alice-003", stderr);
        Assert.Contains($"error: {InDir("hyp.trn")} has 1 utterance(s) that are not in the reference: zed-999", stderr);
    }

    [Fact]
    public void MalformedLinesAndBadEncodingAreLocated()
    {
        File.WriteAllText(InDir("bad.trn"), "fine (a-1)\nno id on this line\n");
        var (code, _, stderr) = Cli.Capture("score", "--ref", Ref, "--hyp", InDir("bad.trn"), "--format", "trn");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"error: {InDir("bad.trn")}:2: expected 'text (utterance-id)'", stderr);

        File.WriteAllBytes(InDir("latin1.trn"), [.. "ok (a-1)\nstra"u8, 0xDF, .. "e (a-2)\n"u8]);
        (code, _, stderr) = Cli.Capture("score", "--ref", InDir("latin1.trn"), "--hyp", Hyp);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"error: {InDir("latin1.trn")}:2: not valid UTF-8 (byte 0xDF at column 5)", stderr);

        (code, _, stderr) = Cli.Capture("score", "--ref", InDir("nothing.trn"), "--hyp", Hyp);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"error: {InDir("nothing.trn")}: no such file", stderr);

        (code, _, stderr) = Cli.Capture("score", "--ref", Ref);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--hyp", stderr);
    }

    private static string ToKaldi(string trn)
    {
        var sb = new StringBuilder();
        foreach (var line in File.ReadAllLines(trn))
        {
            var open = line.LastIndexOf('(');
            sb.Append(line[(open + 1)..^1]).Append(' ').Append(line[..open].Trim()).Append('\n');
        }
        return sb.ToString();
    }
}
