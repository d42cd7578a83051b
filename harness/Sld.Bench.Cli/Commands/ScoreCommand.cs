// `sldbench score`: scores a hypothesis file against a reference file (sclite trn or Kaldi text) with the same
// alignment as NIST sclite, prints sclite's per-speaker summary and Kaldi's %WER line, and writes the JSON
// report and the per-utterance scoring files, so any result can be checked against sctk on the same files.
// With --normalize, references and hypotheses go through the same TextNormalization first, and its settings
// are what the score records.
using System.CommandLine;
using Sld.Bench.Data;
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Cli.Commands;

public static class ScoreCommand
{
    private const int NamesShown = 10;

    public static Command Create()
    {
        var reference = new Option<FileInfo>("--ref") { Description = "Reference transcripts (trn or Kaldi text).", Required = true };
        var hypothesis = new Option<FileInfo>("--hyp") { Description = "Hypothesis transcripts, one per reference utterance.", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "trn ('text (spk-uttid)'), kaldi ('uttid text'), or auto: trn when the first line ends with an id in parentheses.",
            DefaultValueFactory = _ => "auto",
        };
        format.AcceptOnlyFromAmong("auto", "trn", "kaldi");
        var json = new Option<FileInfo?>("--json") { Description = "Write the score report (totals, breakdowns, error lists, diagnostics) as JSON." };
        var dir = new Option<DirectoryInfo?>("--dir") { Description = $"Write {string.Join(", ", ScoringFiles.FileNames)} into this directory." };
        var normalization = new Option<string>("--normalization")
        {
            Description = "How the texts were normalised before scoring, recorded with the score (they are scored as given).",
            DefaultValueFactory = _ => "none",
        };
        var normalize = new Option<bool>("--normalize")
        {
            Description = "Normalise references and hypotheses alike before scoring (punctuation removed except inside numbers and words " +
                          "like DON'T, numbers as written) and record these settings as the normalization.",
        };
        var letterCase = new Option<string>("--case") { Description = "Letter case --normalize gives: upper, lower or keep.", DefaultValueFactory = _ => "upper" };
        letterCase.AcceptOnlyFromAmong("upper", "lower", "keep");
        var costs = new Option<string>("--costs")
        {
            Description = "Alignment costs: sclite (sub 4, ins/del 3, as NIST sclite) or levenshtein (all 1, as Kaldi's compute-wer).",
            DefaultValueFactory = _ => "sclite",
        };
        costs.AcceptOnlyFromAmong("sclite", "levenshtein");

        var command = new Command("score", "Score hypotheses against references as sclite does: WER, CER, per-speaker table, error files.")
        {
            reference, hypothesis, format, json, dir, normalization, normalize, letterCase, costs,
        };
        command.SetAction(parse =>
        {
            TextNormalization? normalizer = null;
            if (parse.GetValue(normalize))
            {
                if (parse.GetResult(normalization) is { Implicit: false })
                    return Fail("--normalization describes texts normalised elsewhere; with --normalize the settings are recorded by themselves");
                normalizer = new TextNormalization { Case = Enum.Parse<LetterCase>(parse.GetValue(letterCase)!, ignoreCase: true) };
            }
            return Run(parse.GetValue(reference)!, parse.GetValue(hypothesis)!, parse.GetValue(format)!, parse.GetValue(json),
                parse.GetValue(dir), normalizer?.Describe() ?? parse.GetValue(normalization)!, normalizer, AlignmentCosts.Parse(parse.GetValue(costs)!));
        });
        return command;
    }

    private static int Run(FileInfo refFile, FileInfo hypFile, string format, FileInfo? json, DirectoryInfo? dir, string normalization,
                           TextNormalization? normalizer, AlignmentCosts costs)
    {
        IReadOnlyList<TranscriptEntry> refs, hyps;
        TranscriptFormat refFormat, hypFormat;
        try
        {
            (string, string)[] inputs = [("reference", refFile.FullName), ("hypothesis", hypFile.FullName)];
            if (json is not null) OutputGuard.NotAnInput("--json", json.FullName, inputs);
            if (dir is not null) OutputGuard.NoInputInside("--dir", dir.FullName, ScoringFiles.FileNames, inputs);
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }
        try
        {
            (refs, refFormat) = Read(refFile.FullName, format);
            (hyps, hypFormat) = Read(hypFile.FullName, format);
        }
        catch (TranscriptFormatException e)
        {
            return Fail(e.Message);
        }

        var byId = hyps.ToDictionary(h => h.Id, StringComparer.Ordinal);
        var refIds = refs.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var missing = refs.Where(r => !byId.ContainsKey(r.Id)).Select(r => r.Id).ToList();
        var extra = hyps.Where(h => !refIds.Contains(h.Id)).Select(h => h.Id).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            if (missing.Count > 0) Console.Error.WriteLine($"error: {hypFile.FullName} misses {missing.Count} utterance(s) of the reference: {Names(missing)}");
            if (extra.Count > 0) Console.Error.WriteLine($"error: {hypFile.FullName} has {extra.Count} utterance(s) that are not in the reference: {Names(extra)}");
            return ExitCodes.InvalidInput;
        }

        var options = new ScoringOptions { Normalization = normalization, Costs = costs };
        Func<string, string> text = normalizer is null ? t => t : normalizer.Normalize;
        var score = new CorpusScorer(options).Score(refs.Select(r => new UtteranceText(r.Id, r.Speaker, text(r.Text), text(byId[r.Id].Text))));

        Console.WriteLine($"ref  {refFile.FullName} ({Name(refFormat)}, {score.Sentences} utterances)");
        Console.WriteLine($"hyp  {hypFile.FullName} ({Name(hypFormat)})");
        Console.WriteLine($"normalization: {normalization}; alignment costs: {costs.Name}");
        Console.WriteLine();
        Console.Write(SummaryFormats.ScliteTable(score));
        Console.WriteLine();
        Console.Write(SummaryFormats.KaldiSummary(score));
        var d = score.Diagnostics();
        Console.WriteLine($"failures: {d.EmptyHypotheses} empty, {d.InsertionRuns} insertion runs, {d.Loops} loops, {d.Truncations} truncated " +
                          $"({d.AnyFailure} of {d.Utterances} utterances)");

        try
        {
            if (json != null)
            {
                Directory.CreateDirectory(json.DirectoryName!);
                File.WriteAllText(json.FullName, ScoreReport.Of(score).ToJson() + "\n");
                Console.WriteLine($"wrote {json.FullName}");
            }
            if (dir != null)
            {
                ScoringFiles.WriteAll(score, dir.FullName);
                Console.WriteLine($"wrote {string.Join(", ", ScoringFiles.FileNames)} to {dir.FullName}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Fail($"cannot write the results: {e.Message}");
        }
        return ExitCodes.Success;
    }

    private static (IReadOnlyList<TranscriptEntry>, TranscriptFormat) Read(string path, string format)
    {
        if (!File.Exists(path)) throw new TranscriptFormatException(path, 0, "no such file");
        var f = format switch
        {
            "trn" => TranscriptFormat.Trn,
            "kaldi" => TranscriptFormat.Kaldi,
            _ => TranscriptFile.Detect(path),
        };
        return (TranscriptFile.Read(path, f), f);
    }

    private static string Name(TranscriptFormat f) => f == TranscriptFormat.Trn ? "trn" : "kaldi text";

    private static string Names(IReadOnlyList<string> ids) =>
        string.Join(", ", ids.Take(NamesShown)) + (ids.Count > NamesShown ? $" and {ids.Count - NamesShown} more" : "");

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.InvalidInput;
    }
}
