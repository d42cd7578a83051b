// The per-test-set scoring files written next to the numbers in the database, in the forms other tools
// read: ref.trn and hyp.trn for rescoring with sclite, utterances.jsonl (one UtteranceScore per line),
// wer-summary (Kaldi lines plus sclite's table), errs (sclite pralign blocks and the error lists), report.json.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sld.Bench.Shared.Scoring;

public static class ScoringFiles
{
    public static readonly IReadOnlyList<string> FileNames = ["ref.trn", "hyp.trn", "utterances.jsonl", "wer-summary", "errs", "report.json"];

    /// <summary>Writes every file into <paramref name="directory"/> (created if needed) and returns their paths.</summary>
    public static IReadOnlyList<string> WriteAll(CorpusScore score, string directory)
    {
        Directory.CreateDirectory(directory);
        var paths = FileNames.Select(n => Path.Combine(directory, n)).ToArray();
        Write(paths[0], w => TranscriptFile.WriteTrn(w, score.Utterances.Select(u => (u.Id, u.Speaker, u.Reference))));
        Write(paths[1], w => TranscriptFile.WriteTrn(w, score.Utterances.Select(u => (u.Id, u.Speaker, u.Hypothesis))));
        Write(paths[2], w => WriteJsonl(score, w));
        Write(paths[3], w => WriteWerSummary(score, w));
        Write(paths[4], w => WriteErrs(score, w));
        Write(paths[5], w => w.Write(ScoreReport.Of(score).ToJson() + "\n"));
        return paths;
    }

    /// <summary>One JSON object per utterance, in input order (the <see cref="UtteranceScore"/> properties, camel case).</summary>
    public static void WriteJsonl(CorpusScore score, TextWriter writer)
    {
        foreach (var u in score.Utterances)
        {
            writer.Write(JsonSerializer.Serialize(u, ScoringJson.Default.UtteranceScore));
            writer.Write('\n');
        }
    }

    /// <summary>Reads utterances.jsonl back (for example into the results store).</summary>
    public static IReadOnlyList<UtteranceScore> ReadJsonl(TextReader reader)
    {
        var list = new List<UtteranceScore>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0) continue;
            list.Add(JsonSerializer.Deserialize(line, ScoringJson.Default.UtteranceScore)
                     ?? throw new FormatException($"line {number}: null utterance"));
        }
        return list;
    }

    public static void WriteWerSummary(CorpusScore score, TextWriter writer)
    {
        writer.Write(Header(score));
        writer.Write(SummaryFormats.KaldiSummary(score));
        writer.Write($"Scored {score.Sentences} sentences.\n\nWords\n");
        writer.Write(SummaryFormats.ScliteTable(score));
        writer.Write("\nCharacters\n");
        writer.Write(SummaryFormats.ScliteTable(score, characters: true));
    }

    /// <summary>
    /// Per-utterance alignments in sclite's pralign layout (id, Scores, REF, HYP, Eval; columns padded to the
    /// longer word in text elements), followed by confusion pairs, deletions, insertions and per-word statistics.
    /// </summary>
    public static void WriteErrs(CorpusScore score, TextWriter writer)
    {
        writer.Write(Header(score));
        writer.Write(SummaryFormats.KaldiSummary(score));
        writer.Write("\nPER-UTTERANCE ALIGNMENTS\n\n");
        foreach (var u in score.Utterances)
        {
            var c = u.Words;
            writer.Write($"id: ({TrnIdOrId(u)})\nScores: (#C #S #D #I) {c.Correct} {c.Substitutions} {c.Deletions} {c.Insertions}\n");
            writer.Write(PrAlign(u.ReferenceWords, u.HypothesisWords, u.WordOps));
            writer.Write('\n');
        }
        var tally = ErrorTally.Of(score.Utterances);
        writer.Write("CONFUSION PAIRS: count ref ==> hyp\n");
        foreach (var p in tally.ConfusionPairs()) writer.Write($"{p.Count,6}  {p.Reference} ==> {p.Hypothesis}\n");
        writer.Write("\nDELETIONS: count ref\n");
        foreach (var w in tally.Deletions()) writer.Write($"{w.Count,6}  {w.Word}\n");
        writer.Write("\nINSERTIONS: count hyp\n");
        foreach (var w in tally.Insertions()) writer.Write($"{w.Count,6}  {w.Word}\n");
        writer.Write("\nPER-WORD STATS: word corr errors in_ref in_hyp sub del ins false\n");
        foreach (var w in tally.PerWord().Where(w => w.Errors > 0))
            writer.Write($"{w.Word} {w.Correct} {w.Errors} {w.InReference} {w.InHypothesis} {w.Substituted} {w.Deleted} {w.Inserted} {w.FalselyRecognized}\n");
    }

    /// <summary>
    /// The REF, HYP and Eval lines of one alignment as sclite's pralign prints them: each position padded to its
    /// longer word, a missing word shown as stars of the other word's length, a blank Eval for a correct word.
    /// Like sclite, an alignment with no word prints no lines.
    /// </summary>
    public static string PrAlign(TokenAlignment alignment) =>
        PrAlign([.. alignment.Reference], [.. alignment.Hypothesis], alignment.Ops);

    private static string PrAlign(string[] reference, string[] hypothesis, string ops)
    {
        if (ops.Length == 0) return "";
        var (r, h, e) = (new StringBuilder("REF:  "), new StringBuilder("HYP:  "), new StringBuilder("Eval: "));
        var (i, j) = (0, 0);
        foreach (var op in ops)
        {
            var rw = op == 'I' ? null : reference[i++];
            var hw = op == 'D' ? null : hypothesis[j++];
            int rWidth = Width(rw), hWidth = Width(hw), width = Math.Max(rWidth, hWidth);
            if (rw is null) r.Append('*', hWidth); else r.Append(rw);
            r.Append(' ', width - (rw is null ? hWidth : rWidth) + 1);
            if (hw is null) h.Append('*', rWidth); else h.Append(hw);
            h.Append(' ', width - (hw is null ? rWidth : hWidth) + 1);
            e.Append(op == 'C' ? ' ' : op).Append(' ', width);
        }
        return $"{r}\n{h}\n{e}\n";
    }

    /// <summary>Display width in text elements (the length itself for ASCII, the common case).</summary>
    private static int Width(string? s)
    {
        if (s is null) return 0;
        return s.AsSpan().ContainsAnyExceptInRange((char)0, (char)0x7F) ? new StringInfo(s).LengthInTextElements : s.Length;
    }

    private static string TrnIdOrId(UtteranceScore u)
    {
        try { return TranscriptFile.TrnId(u.Id, u.Speaker); }
        catch (ArgumentException) { return u.Id; }
    }

    private static string Header(CorpusScore score)
    {
        var o = score.Options;
        return $"# normalization: {o.Normalization}\n" +
               $"# alignment costs: {o.Costs.Name} (sub {o.Costs.Substitution}, ins {o.Costs.Insertion}, del {o.Costs.Deletion})\n" +
               $"# CER units: grapheme clusters{(o.CharacterSpaces ? ", with the space between words" : ", spaces not counted")}\n";
    }

    private static void Write(string path, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        write(writer);
    }
}

/// <summary>Source-generated serialisation of the per-utterance records (JSONL is written for every test set).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(UtteranceScore))]
internal sealed partial class ScoringJson : JsonSerializerContext;
