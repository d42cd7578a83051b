// The summary lines speech researchers read and grep for: sclite's per-speaker table (Snt Wrd Corr Sub Del
// Ins Err S.Err with Sum/Avg, Mean, S.D., Median rows), Kaldi's "%WER 3.09 [ 1622 / 52576, 167 ins, 171 del,
// 1284 sub ]" line, and ESPnet's RESULTS.md table rows. Numbers use invariant culture.
using System.Globalization;
using System.Text;
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Shared.Scoring;

public static class SummaryFormats
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Kaldi's compute-wer line, e.g. "%WER 3.09 [ 1622 / 52576, 167 ins, 171 del, 1284 sub ]".</summary>
    public static string KaldiLine(string metric, ErrorCounts counts) => string.Create(Inv,
        $"%{metric} {Rate(counts.ErrorRate, 2)} [ {counts.Errors} / {counts.ReferenceLength}, {counts.Insertions} ins, {counts.Deletions} del, {counts.Substitutions} sub ]");

    /// <summary>Kaldi's sentence error line, e.g. "%SER 29.52 [ 774 / 2620 ]".</summary>
    public static string SentenceLine(int withErrors, int sentences) => string.Create(Inv,
        $"%SER {Rate(sentences == 0 ? null : 100.0 * withErrors / sentences, 2)} [ {withErrors} / {sentences} ]");

    /// <summary>The %WER, %CER and %SER lines of a corpus.</summary>
    public static string KaldiSummary(CorpusScore score) =>
        $"{KaldiLine("WER", score.Words)}\n{KaldiLine("CER", score.Characters)}\n{SentenceLine(score.SentencesWithErrors, score.Sentences)}\n";

    /// <summary>
    /// sclite's "SYSTEM SUMMARY PERCENTAGES by SPEAKER" table for word or character counts, with sclite's
    /// rules: Mean, S.D. (sample) and Median of # Snt, # Wrd and S.Err over all speakers, of the other
    /// percentages over the speakers that have reference units; values rounded half up as sclite's F_ROUND does.
    /// </summary>
    public static string ScliteTable(CorpusScore score, bool characters = false)
    {
        var speakers = Breakdowns.BySpeaker(score.Utterances).Groups;
        ErrorCounts Counts(GroupScore g) => characters ? g.Characters : g.Words;
        var nameWidth = Math.Max(7, speakers.Select(s => s.Group.Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        var rule = $"|{new string('-', nameWidth + 2)}+{new string('-', 15)}+{new string('-', 43)}|";
        var thick = rule.Replace('-', '=');
        sb.Append(Line("SPKR", ["# Snt", "# Wrd", "Corr", "Sub", "Del", "Ins", "Err", "S.Err"])).Append('\n').Append(rule).Append('\n');
        foreach (var s in speakers) sb.Append(Line(s.Group, Row(s.Sentences, Counts(s), s.SentencesWithErrors))).Append('\n');
        sb.Append(thick).Append('\n');
        sb.Append(Line("Sum/Avg", Row(score.Sentences, characters ? score.Characters : score.Words, score.SentencesWithErrors))).Append('\n');
        if (speakers.Count > 0)
        {
            var all = speakers.Select(s => Columns(s.Sentences, Counts(s), s.SentencesWithErrors)).ToArray();
            var scored = speakers.Where(s => Counts(s).ReferenceLength > 0)
                .Select(s => Columns(s.Sentences, Counts(s), s.SentencesWithErrors)).ToArray();
            sb.Append(thick).Append('\n');
            foreach (var (label, statistic) in new (string, Func<double[], double>)[]
                     {
                         ("Mean", Descriptive.Mean),
                         ("S.D.", v => Descriptive.SampleStdDev(v) ?? 0),
                         ("Median", v => Descriptive.MedianOfSorted([.. v.Order()])),
                     })
            {
                var cells = Enumerable.Range(0, 8).Select(c =>
                {
                    var rows = c is 0 or 1 or 7 ? all : scored;
                    return rows.Length == 0 ? 0 : statistic([.. rows.Select(r => r[c])]);
                });
                sb.Append(Line(label, [.. cells.Select(ScliteF1)])).Append('\n');
            }
        }
        return sb.ToString();

        string Line(string name, string[] cells) =>
            $"| {name.PadRight(nameWidth)} | {cells[0],5} {cells[1],7} | {string.Join(' ', cells[2..].Select((p, i) => p.PadLeft(i == 0 ? 5 : 6)))} |";
    }

    /// <summary>
    /// ESPnet RESULTS.md blocks, "### WER" and "### CER", one row per scored test set:
    /// |dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|.
    /// </summary>
    public static string EspnetMarkdown(IEnumerable<(string Dataset, CorpusScore Score)> results)
    {
        var list = results.ToList();
        var sb = new StringBuilder();
        foreach (var (title, chars) in new[] { ("WER", false), ("CER", true) })
        {
            sb.Append($"### {title}\n\n|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|\n|---|---|---|---|---|---|---|---|---|\n");
            foreach (var (dataset, score) in list)
            {
                var row = Row(score.Sentences, chars ? score.Characters : score.Words, score.SentencesWithErrors);
                sb.Append($"|{dataset}|{string.Join('|', row)}|\n");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Snt, Wrd, then Corr Sub Del Ins Err S.Err in percent with one decimal, rounded as sclite rounds.</summary>
    public static string[] Row(int sentences, ErrorCounts c, int sentencesWithErrors)
    {
        var v = Columns(sentences, c, sentencesWithErrors);
        return [sentences.ToString(Inv), c.ReferenceLength.ToString(Inv), .. v[2..].Select(ScliteF1)];
    }

    /// <summary>
    /// One decimal as sclite prints its tables: F_ROUND (add 0.5 at the last digit and truncate, so 31.25 is
    /// 31.3) before printf's %.1f. A plain %.1f would print 31.2, rounding the exact tie to even.
    /// </summary>
    public static string ScliteF1(double value)
    {
        var rounded = (float)(int)(value * 10.0 + (value > 0 ? 0.5 : -0.5)) / 10.0;
        return rounded.ToString("F1", Inv);
    }

    private static double[] Columns(int sentences, ErrorCounts c, int sentencesWithErrors) =>
    [
        sentences, c.ReferenceLength, c.Percent(c.Correct), c.Percent(c.Substitutions), c.Percent(c.Deletions),
        c.Percent(c.Insertions), c.Percent(c.Errors), sentences == 0 ? 0 : 100.0 * sentencesWithErrors / sentences,
    ];

    private static string Rate(double? rate, int decimals) => rate is { } r ? r.ToString("F" + decimals, Inv) : "n/a";
}
