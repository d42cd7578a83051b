// Mean and sample standard deviation for grouped rows until the shared Statistics library lands on main;
// then Spread.Of replaces this file.
namespace Sld.Bench.Dashboard.Data;

internal static class PendingStatistics
{
    public static (double? Mean, double? StdDev) MeanStd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (null, null);
        var mean = values.Average();
        if (values.Count < 2) return (mean, null);
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)));
    }
}
