// Mean and sample standard deviation of a metric over the seeds of one sweep cell, with n and the seeds that
// were expected but have no result, so a table never presents two seeds as if they were three.
namespace Sld.Bench.Shared.Statistics;

/// <summary>
/// A metric over seeds. <see cref="StdDev"/> is the sample standard deviation (n - 1), null for fewer than two
/// values; <see cref="Mean"/> is null when no seed has a value.
/// </summary>
public sealed record SeedSummary(
    int N,
    int ExpectedN,
    double? Mean,
    double? StdDev,
    double? Min,
    double? Max,
    IReadOnlyList<int> MissingSeeds)
{
    public bool HasMissingSeeds => MissingSeeds.Count > 0;

    /// <summary>
    /// Summarises values by seed; seeds in <paramref name="expectedSeeds"/> without a value are missing. A value for a
    /// seed that was not expected still counts in N.
    /// </summary>
    public static SeedSummary Of(IReadOnlyDictionary<int, double> valuesBySeed, IReadOnlyCollection<int> expectedSeeds)
    {
        var values = valuesBySeed.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToArray();
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new ArgumentException($"a seed has the value {v}; only finite values can be averaged", nameof(valuesBySeed));
        var missing = expectedSeeds.Where(s => !valuesBySeed.ContainsKey(s)).Order().ToArray();
        return new SeedSummary(values.Length, expectedSeeds.Distinct().Count(),
            values.Length == 0 ? null : Descriptive.Mean(values), Descriptive.SampleStdDev(values),
            values.Length == 0 ? null : values.Min(), values.Length == 0 ? null : values.Max(), missing);
    }
}
