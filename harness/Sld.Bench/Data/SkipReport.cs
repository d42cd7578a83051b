// The account of skipped utterances per split: how many were considered, which were skipped and why, and the
// threshold check that turns too many skips into one clear failure before any training starts.
using System.Globalization;
using System.Text;

namespace Sld.Bench.Data;

public sealed class TooManySkippedUtterancesException(string message, SkipReport report) : Exception(message)
{
    /// <summary>The whole account, so a caller can still list or write every skipped utterance.</summary>
    public SkipReport Report { get; } = report;
}

public sealed class SkipReport
{
    public const double DefaultMaxSkipFraction = 0.01;

    public SkipReport(IReadOnlyDictionary<string, int> consideredPerSplit, IReadOnlyList<SkippedUtterance> skipped)
    {
        ConsideredPerSplit = consideredPerSplit;
        Skipped = skipped;
    }

    /// <summary>Builds the report for utterances that survived <paramref name="kept"/> and those skipped on the way.</summary>
    public static SkipReport Of(IEnumerable<Utterance> kept, IReadOnlyList<SkippedUtterance> skipped)
    {
        var considered = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var u in kept) considered[u.Split] = considered.GetValueOrDefault(u.Split) + 1;
        foreach (var s in skipped) considered[s.Split] = considered.GetValueOrDefault(s.Split) + 1;
        return new SkipReport(considered, skipped);
    }

    /// <summary>
    /// This report plus utterances that a later stage (feature preparation decoding the audio) could not use.
    /// They were counted as considered already, so only the skips grow.
    /// </summary>
    public SkipReport With(IEnumerable<SkippedUtterance> laterSkips)
    {
        var more = laterSkips.ToList();
        var unknown = more.FirstOrDefault(s => !ConsideredPerSplit.ContainsKey(s.Split));
        if (unknown is not null) throw new ArgumentException($"{unknown.Id} is in split {unknown.Split}, which this report does not count");
        return new SkipReport(ConsideredPerSplit, [.. Skipped, .. more]);
    }

    public IReadOnlyDictionary<string, int> ConsideredPerSplit { get; }
    public IReadOnlyList<SkippedUtterance> Skipped { get; }
    public int Considered => ConsideredPerSplit.Values.Sum();

    public int SkippedIn(string split) => Skipped.Count(s => s.Split == split);

    public double FractionIn(string split) =>
        ConsideredPerSplit.TryGetValue(split, out var n) && n > 0 ? (double)SkippedIn(split) / n : 0;

    /// <summary>The splits that lost more than <paramref name="maxFraction"/> of their utterances.</summary>
    public IReadOnlyList<string> SplitsOver(double maxFraction) => ConsideredPerSplit.Keys.Where(s => FractionIn(s) > maxFraction).ToList();

    /// <summary>Throws when any split lost more than <paramref name="maxFraction"/> of its utterances.</summary>
    public void EnsureWithin(double maxFraction)
    {
        var over = SplitsOver(maxFraction);
        if (over.Count == 0) return;
        var sb = new StringBuilder();
        foreach (var split in over)
            sb.Append(CultureInfo.InvariantCulture,
                $"split {split}: {SkippedIn(split)} of {ConsideredPerSplit[split]} utterances skipped ({FractionIn(split):P1}), more than the allowed {maxFraction:P1}\n");
        sb.Append("first reasons:\n");
        foreach (var s in Skipped.Where(s => over.Contains(s.Split)).Take(10)) sb.Append("  ").Append(s).Append('\n');
        sb.Append("fix the data, or raise max_skip_fraction if these losses are acceptable");
        throw new TooManySkippedUtterancesException(sb.ToString(), this);
    }

    public string Summary()
    {
        var sb = new StringBuilder();
        foreach (var (split, n) in ConsideredPerSplit)
            sb.Append(CultureInfo.InvariantCulture, $"{split}: {n - SkippedIn(split)} usable, {SkippedIn(split)} skipped ({FractionIn(split):P1})\n");
        return sb.ToString().TrimEnd();
    }

    /// <summary>Writes split, id, path and reason as tab-separated lines (the skip list kept with a prepared corpus).</summary>
    public void Write(string path)
    {
        var sb = new StringBuilder("split\tid\tpath\treason\n");
        foreach (var s in Skipped) sb.Append(CultureInfo.InvariantCulture, $"{s.Split}\t{s.Id}\t{s.Path}\t{s.Reason.Replace('\t', ' ').Replace('\n', ' ')}\n");
        var temp = path + ".tmp";
        File.WriteAllText(temp, sb.ToString());
        File.Move(temp, path, overwrite: true);
    }
}
