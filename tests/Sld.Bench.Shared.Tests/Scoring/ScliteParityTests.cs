// Parity with NIST sclite (sctk) on the same trn files: every alignment (operations and word pairs), the counts
// per utterance and per speaker, the per-speaker Mean/S.D./Median rows, the dtl error lists, and the pralign
// text, on the tricky fixture in tests/fixtures/scoring and on randomized pairs generated here.
using System.Text;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Testing;

namespace Sld.Bench.Shared.Tests.Scoring;

public sealed class ScliteParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sclite-parity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FixtureAgreesWithSclite()
    {
        File.Copy(RepoPaths.Fixture("scoring/ref.trn"), Path.Combine(_dir, "ref.trn"));
        File.Copy(RepoPaths.Fixture("scoring/hyp.trn"), Path.Combine(_dir, "hyp.trn"));
        var score = ScoreFiles(Path.Combine(_dir, "ref.trn"), Path.Combine(_dir, "hyp.trn"));
        var compared = AssertAgreesWithSclite(score, ScliteRun.Score(_dir));

        // The fixture's point is its tricky cases; make sure they are all there and all compared.
        Assert.Equal(27, score.Sentences);
        Assert.Equal(27, compared.alignments);
        Assert.Equal(24, compared.pralign);
        Assert.Equal(new ErrorCounts(396, 63, 52, 46), score.Words);
        Assert.Equal("DDDCCIII", Utterance(score, "alice-001").WordOps);
        Assert.Equal("ICCCCSC", Utterance(score, "alice-002").WordOps);
        Assert.Equal("II", Utterance(score, "bob-008").WordOps);
        Assert.Equal("", Utterance(score, "bob-010").WordOps);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RandomizedPairsAgreeWithSclite(int seed)
    {
        var (refs, hyps) = RandomPairs(new Random(seed), 300);
        File.WriteAllText(Path.Combine(_dir, "ref.trn"), refs);
        File.WriteAllText(Path.Combine(_dir, "hyp.trn"), hyps);
        var score = ScoreFiles(Path.Combine(_dir, "ref.trn"), Path.Combine(_dir, "hyp.trn"));
        var compared = AssertAgreesWithSclite(score, ScliteRun.Score(_dir));
        Assert.Equal(300, compared.alignments);
        Assert.True(score.Words.Substitutions > 100 && score.Words.Deletions > 100 && score.Words.Insertions > 100,
            $"the random pairs should exercise every operation: {score.Words}");
    }

    [Fact]
    public void CharacterCountsAgreeWithScliteOnCharacterTokenizedTrn()
    {
        var refs = TranscriptFile.Read(RepoPaths.Fixture("scoring/ref.trn"), TranscriptFormat.Trn);
        var hyps = TranscriptFile.Read(RepoPaths.Fixture("scoring/hyp.trn"), TranscriptFormat.Trn);
        File.WriteAllText(Path.Combine(_dir, "ref.trn"), CharacterTrn(refs));
        File.WriteAllText(Path.Combine(_dir, "hyp.trn"), CharacterTrn(hyps));
        var score = ScoreFiles(RepoPaths.Fixture("scoring/ref.trn"), RepoPaths.Fixture("scoring/hyp.trn"));
        var sclite = ScliteRun.Score(_dir).Alignments();
        foreach (var u in score.Utterances)
        {
            var ops = sclite[u.Id].Select(w => w.Op).ToArray();
            Assert.Equal(ErrorCounts.FromOps(ops), u.Characters);
        }
        Assert.Equal(new ErrorCounts(1971, 127, 238, 211), score.Characters);
    }

    internal static CorpusScore ScoreFiles(string refPath, string hypPath)
    {
        var refs = TranscriptFile.Read(refPath, TranscriptFormat.Trn);
        var hyps = TranscriptFile.Read(hypPath, TranscriptFormat.Trn).ToDictionary(e => e.Id, e => e.Text);
        return new CorpusScorer(new ScoringOptions { Normalization = "none" })
            .Score(refs.Select(r => new UtteranceText(r.Id, r.Speaker, r.Text, hyps[r.Id])));
    }

    private static UtteranceScore Utterance(CorpusScore score, string id) => score.Utterances.Single(u => u.Id == id);

    private static (int alignments, int pralign) AssertAgreesWithSclite(CorpusScore score, ScliteRun sclite)
    {
        // Alignments: the same operations on the same word pairs, utterance by utterance.
        var alignments = sclite.Alignments();
        Assert.Equal(score.Sentences, alignments.Count);
        foreach (var utt in score.Utterances)
        {
            var pairs = utt.WordAlignment().Pairs().Select(p => new ScliteWord((char)p.Op, p.Reference, p.Hypothesis)).ToList();
            Assert.True(alignments[utt.Id].SequenceEqual(pairs),
                $"{utt.Id}: sclite {string.Join(' ', alignments[utt.Id])}\nours {string.Join(' ', pairs)}");
        }

        // Per-speaker and total counts: # Snt # Wrd Corr Sub Del Ins Err S.Err.
        var raw = sclite.SummaryRows("raw");
        var speakers = Breakdowns.BySpeaker(score.Utterances).Groups;
        Assert.Equal(speakers.Count + 4, raw.Count);
        foreach (var s in speakers)
            Assert.Equal(Raw(s.Sentences, s.Words, s.SentencesWithErrors), raw[s.Group]);
        Assert.Equal(Raw(score.Sentences, score.Words, score.SentencesWithErrors), raw["Sum"]);

        // Percentages and the spread over speakers, as printed with one decimal.
        var sys = sclite.SummaryRows("sys");
        var ours = new StringReader(SummaryFormats.ScliteTable(score)).ReadToEnd().Split('\n')
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)).Where(c => c.Length == 5)
            .ToDictionary(c => c[1], c => c[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Concat(c[3].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray());
        foreach (var s in speakers) Assert.Equal(sys[s.Group], ours[s.Group]);
        Assert.Equal(sys["Sum/Avg"], ours["Sum/Avg"]);
        Assert.Equal(sys["Mean"], ours["Mean"]);
        Assert.Equal(sys["S.D."], ours["S.D."]);
        Assert.Equal(sys["Median"], ours["Median"]);

        // dtl error lists, in sclite's order.
        var u = score.Utterances;
        Assert.Equal(sclite.DtlSection("CONFUSION PAIRS"), ErrorAnalysis.ConfusionPairs(u).Select(p => (p.Count, $"{p.Reference} ==> {p.Hypothesis}")).ToList());
        Assert.Equal(sclite.DtlSection("INSERTIONS"), ErrorAnalysis.Insertions(u).Select(w => (w.Count, w.Word)).ToList());
        Assert.Equal(sclite.DtlSection("DELETIONS"), ErrorAnalysis.Deletions(u).Select(w => (w.Count, w.Word)).ToList());
        Assert.Equal(sclite.DtlSection("SUBSTITUTIONS"), ErrorAnalysis.Substitutions(u).Select(w => (w.Count, w.Word)).ToList());
        Assert.Equal(sclite.DtlSection("FALSELY RECOGNIZED"), ErrorAnalysis.FalselyRecognized(u).Select(w => (w.Count, w.Word)).ToList());

        // pralign text, where sclite's byte-based padding equals ours (ASCII utterances).
        var pra = sclite.PrAlign();
        var ascii = u.Where(x => (x.Reference + x.Hypothesis).All(ch => ch < 0x80)).ToList();
        foreach (var x in ascii) Assert.Equal(pra[x.Id], ScoringFiles.PrAlign(x.WordAlignment()));
        return (alignments.Count, ascii.Count);
    }

    private static string[] Raw(int sentences, ErrorCounts c, int withErrors) =>
        [.. new[] { sentences, c.ReferenceLength, c.Correct, c.Substitutions, c.Deletions, c.Insertions, c.Errors, withErrors }.Select(v => v.ToString())];

    private static string CharacterTrn(IEnumerable<TranscriptEntry> entries)
    {
        var sb = new StringBuilder();
        foreach (var e in entries)
        {
            var units = TextUnits.Characters(e.Text, includeSpaces: true);
            sb.Append(string.Join(' ', units)).Append(units.Length == 0 ? "(" : " (").Append(e.Id).Append(")\n");
        }
        return sb.ToString();
    }

    private static readonly string[] Vocabulary = ["a", "b", "c", "the", "cat", "sat", "on", "mat", "ab", "über", "日本", "ça", "x"];

    /// <summary>
    /// Random pairs over a small vocabulary (so ties and repeated words are common), with ASCII and non-ASCII
    /// words and empty sides; see <see cref="RandomHypotheses"/> for the hypotheses.
    /// </summary>
    internal static (string refs, string hyps) RandomPairs(Random rng, int count)
    {
        var refs = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var reference = Enumerable.Range(0, rng.Next(0, 25)).Select(_ => Vocabulary[rng.Next(Vocabulary.Length)]);
            AppendTrn(refs, reference, $"s{rng.Next(12):00}-{i:0000}");
        }
        return (refs.ToString(), RandomHypotheses(refs.ToString(), rng));
    }

    /// <summary>
    /// One hypothesis per line of a reference trn: one in ten unrelated to the reference, the others edits of it
    /// (15% of words dropped, 15% replaced, 15% followed by an inserted word).
    /// </summary>
    internal static string RandomHypotheses(string refsTrn, Random rng)
    {
        var hyps = new StringBuilder();
        foreach (var line in refsTrn.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var open = line.LastIndexOf('(');
            var reference = TextUnits.Words(line[..open]);
            var hypothesis = new List<string>();
            if (rng.Next(10) == 0)
                hypothesis.AddRange(Enumerable.Range(0, rng.Next(0, 25)).Select(_ => Vocabulary[rng.Next(Vocabulary.Length)]));
            else
                foreach (var w in reference)
                {
                    var r = rng.NextDouble();
                    if (r < 0.15) continue;
                    hypothesis.Add(r < 0.3 ? Vocabulary[rng.Next(Vocabulary.Length)] : w);
                    if (r > 0.85) hypothesis.Add(Vocabulary[rng.Next(Vocabulary.Length)]);
                }
            AppendTrn(hyps, hypothesis, line[(open + 1)..^1]);
        }
        return hyps.ToString();
    }

    private static void AppendTrn(StringBuilder sb, IEnumerable<string> words, string id)
    {
        var text = string.Join(' ', words);
        sb.Append(text).Append(text.Length == 0 ? "(" : " (").Append(id).Append(")\n");
    }
}
