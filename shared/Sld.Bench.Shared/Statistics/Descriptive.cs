// Descriptive statistics with the conventions the reports state: the sample standard deviation (n - 1, as
// sclite's S.D. row and every "mean +- std over seeds" in a paper), the median as the mean of the two middle
// values for an even count.
namespace Sld.Bench.Shared.Statistics;

/// <summary>Mean, sample standard deviation (null when n &lt; 2), median, minimum and maximum of a sample.</summary>
public sealed record Spread(int N, double Mean, double? StdDev, double Median, double Min, double Max)
{
    public static Spread? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return null;
        return new Spread(sorted.Length, Descriptive.Mean(sorted), Descriptive.SampleStdDev(sorted),
            Descriptive.MedianOfSorted(sorted), sorted[0], sorted[^1]);
    }
}

public static class Descriptive
{
    /// <summary>The arithmetic mean, summed left to right (so results do not depend on vectorised summation order).</summary>
    public static double Mean(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("the mean of no values is undefined", nameof(values));
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++) sum += values[i];
        return sum / values.Count;
    }

    /// <summary>The sample standard deviation, sqrt(sum (x - mean)^2 / (n - 1)); null for fewer than two values.</summary>
    public static double? SampleStdDev(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return null;
        var mean = Mean(values);
        var sum = 0.0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (values.Count - 1));
    }

    public static double MedianOfSorted(IReadOnlyList<double> sorted)
    {
        if (sorted.Count == 0) throw new ArgumentException("the median of no values is undefined", nameof(sorted));
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// The q-quantile of sorted values by linear interpolation between order statistics (Hyndman and Fan type 7,
    /// the default of R, NumPy and Excel's PERCENTILE.INC).
    /// </summary>
    public static double QuantileOfSorted(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) throw new ArgumentException("the quantile of no values is undefined", nameof(sorted));
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile lies in [0, 1]");
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
