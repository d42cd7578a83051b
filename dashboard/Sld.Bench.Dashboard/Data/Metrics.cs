// The metrics a researcher picks on the leaderboard, grid and export pages, all derived from an evaluation's
// summed counts and shown in percent: WER = (S + D + I) / N, its three parts, CER and the sentence error rate.
namespace Sld.Bench.Dashboard.Data;

public enum Metric
{
    Wer,
    Cer,
    Ser,
    Sub,
    Del,
    Ins,
}

public static class Metrics
{
    public static IReadOnlyList<Metric> All { get; } = Enum.GetValues<Metric>();

    public static string Label(Metric m) => m switch
    {
        Metric.Wer => "WER",
        Metric.Cer => "CER",
        Metric.Ser => "SER",
        Metric.Sub => "Sub",
        Metric.Del => "Del",
        Metric.Ins => "Ins",
        _ => m.ToString(),
    };

    public static string Description(Metric m) => m switch
    {
        Metric.Wer => "word error rate, (S+D+I)/N",
        Metric.Cer => "character error rate",
        Metric.Ser => "sentence error rate",
        Metric.Sub => "substitutions per reference word",
        Metric.Del => "deletions per reference word",
        Metric.Ins => "insertions per reference word",
        _ => m.ToString(),
    };

    /// <summary>Parses a metric name from a URL ("wer", "cer", ...); unknown names give WER.</summary>
    public static Metric Parse(string? text) => Enum.TryParse<Metric>(text, ignoreCase: true, out var m) ? m : Metric.Wer;

    /// <summary>The metric in percent, or null when the evaluation has no reference word (undefined rate).</summary>
    public static double? Percent(EvaluationInfo e, Metric m)
    {
        if (m == Metric.Cer) return 100.0 * e.Cer;
        if (m == Metric.Ser) return e.Sentences == 0 ? null : 100.0 * e.SentenceErrors / e.Sentences;
        if (e.RefWords == 0) return null;
        var count = m switch
        {
            Metric.Sub => e.Substitutions,
            Metric.Del => e.Deletions,
            Metric.Ins => e.Insertions,
            _ => e.Substitutions + e.Deletions + e.Insertions,
        };
        return 100.0 * count / e.RefWords;
    }
}
