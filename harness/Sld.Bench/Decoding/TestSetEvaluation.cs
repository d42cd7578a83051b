// One test set from model to scoring files: decode every utterance, score the hypotheses with the shared
// sclite-exact scorer, and write the per-test-set files of reports.md (ref/hyp trn, utterances.jsonl,
// wer-summary, errs, report.json) plus decoding.jsonl, which records why each hypothesis ended (a length-limit
// cut-off is a decoder failure the alignment alone cannot see). Also the dev scorer the trainer takes.
using System.Text;
using System.Text.Json;
using Sld.Bench.Model;
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Decoding;

/// <param name="Score">The corpus score (WER and CER in percent, breakdowns, diagnostics).</param>
/// <param name="Hypotheses">One per utterance, in the test set's order.</param>
/// <param name="CutOff">Hypotheses that ended at max_new_tokens or the block size instead of &lt;text_end&gt;.</param>
/// <param name="Files">Paths written (empty when no directory was given).</param>
public sealed record TestSetResult(CorpusScore Score, IReadOnlyList<Hypothesis> Hypotheses, int CutOff, IReadOnlyList<string> Files)
{
    /// <summary>Corpus WER in percent (0 for a test set without reference words).</summary>
    public double Wer => Score.Wer ?? 0;

    public double Cer => Score.Cer ?? 0;
}

public static class TestSetEvaluation
{
    public const string DecodingFile = "decoding.jsonl";

    /// <summary>Scoring options for the character-transcript setting of the harness: texts are scored as given.</summary>
    public static ScoringOptions DefaultScoring { get; } = new() { Normalization = "none" };

    /// <summary>
    /// Decodes <paramref name="testSet"/> and scores it against each utterance's Text. With
    /// <paramref name="directory"/>, writes ScoringFiles.FileNames and decoding.jsonl there.
    /// </summary>
    /// <param name="speakerOf">Speaker of an utterance id (per-speaker tables, trn ids); by default the id up to its first '-'
    /// (LibriSpeech's `speaker-chapter-utterance`).</param>
    public static TestSetResult Run(AsrModel model, IReadOnlyList<AsrUtterance> testSet, DecodeOptions decoding, string? directory = null,
                                    ScoringOptions? scoring = null, Func<string, string>? speakerOf = null)
    {
        var hyps = AsrDecoder.Decode(model, testSet, decoding);
        return Score(testSet, hyps, directory, scoring, speakerOf);
    }

    /// <summary>Scores hypotheses already decoded (same order as <paramref name="testSet"/>) and writes the files.</summary>
    public static TestSetResult Score(IReadOnlyList<AsrUtterance> testSet, IReadOnlyList<Hypothesis> hyps, string? directory = null,
                                      ScoringOptions? scoring = null, Func<string, string>? speakerOf = null)
    {
        if (hyps.Count != testSet.Count) throw new ArgumentException($"{hyps.Count} hypotheses for {testSet.Count} utterances");
        var speaker = speakerOf ?? DefaultSpeaker;
        return Score(testSet.Select((u, i) => new UtteranceText(u.Id, speaker(u.Id), u.Text, hyps[i].Text)).ToList(), hyps, scoring ?? DefaultScoring, directory);
    }

    /// <summary>
    /// Scores utterances the caller has described (speaker, subset, duration, the hypothesis as it is to be scored),
    /// one per hypothesis in the same order, and writes the files.
    /// </summary>
    public static TestSetResult Score(IReadOnlyList<UtteranceText> scored, IReadOnlyList<Hypothesis> hyps, ScoringOptions scoring, string? directory = null)
    {
        if (hyps.Count != scored.Count) throw new ArgumentException($"{hyps.Count} hypotheses for {scored.Count} utterances");
        for (var i = 0; i < hyps.Count; i++)
            if (hyps[i].Id != scored[i].Id) throw new ArgumentException($"hypothesis {i} is for '{hyps[i].Id}', not '{scored[i].Id}'");
        var score = new CorpusScorer(scoring).Score(scored);
        var files = new List<string>();
        if (directory is not null)
        {
            files.AddRange(ScoringFiles.WriteAll(score, directory));
            var path = Path.Combine(directory, DecodingFile);
            WriteDecoding(hyps, path);
            files.Add(path);
        }
        return new TestSetResult(score, hyps, hyps.Count(h => h.Truncated), files);
    }

    public static string DefaultSpeaker(string id) => id.IndexOf('-') is var dash and > 0 ? id[..dash] : id;

    /// <summary>Corpus WER in percent of (id, reference, hypothesis) triples: the trainer's devScorer.</summary>
    public static double CorpusWer(IReadOnlyList<(string Id, string Reference, string Hypothesis)> triples) =>
        new CorpusScorer(DefaultScoring).Score(triples.Select(t => new UtteranceText(t.Id, DefaultSpeaker(t.Id), t.Reference, t.Hypothesis))).Wer ?? 0;

    /// <summary>One line per hypothesis: id, end reason, generated units, the length limit and the summed log-probability.</summary>
    public static void WriteDecoding(IReadOnlyList<Hypothesis> hyps, string path)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        foreach (var h in hyps)
        {
            writer.Write(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["id"] = h.Id,
                ["end"] = h.End switch { EndReason.TextEnd => "text_end", EndReason.MaxNewTokens => "max_new_tokens", _ => "block_size" },
                ["units"] = h.Tokens.Length,
                ["max_new_tokens"] = h.MaxNewTokens,
                ["score"] = h.Score,
            }));
            writer.Write('\n');
        }
    }
}
