// Paired bootstrap confidence interval of a WER difference (Bisani and Ney 2004): resample the test set's
// utterances with replacement, recompute both systems' corpus WER from the summed counts of the resample, and
// take percentiles of the difference. Deterministic: the same seed gives the same interval everywhere.
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Statistics;

/// <summary>
/// The bootstrap of WER(system) - WER(baseline) in percentage points: the observed difference, the percentile
/// interval at <see cref="ConfidenceLevel"/> (type-7 quantiles of the resampled differences), and the share of
/// resamples in which the system has the lower WER (Bisani and Ney's "probability of improvement").
/// </summary>
public sealed record BootstrapResult(
    int Utterances,
    int Resamples,
    ulong Seed,
    double ConfidenceLevel,
    double Difference,
    double Lower,
    double Upper,
    double ProbabilityOfImprovement)
{
    /// <summary>The interval excludes zero.</summary>
    public bool Significant => Lower > 0 || Upper < 0;
}

public static class PairedBootstrap
{
    public const string Name = "paired bootstrap";

    public const int DefaultResamples = 10_000;

    /// <summary>
    /// Runs the bootstrap on per-utterance counts of the same utterances in the same order. Both systems must
    /// see the same references (equal reference lengths per utterance). A resample that draws no reference word
    /// has no WER and is drawn again.
    /// </summary>
    public static BootstrapResult Run(
        IReadOnlyList<ErrorCounts> baseline, IReadOnlyList<ErrorCounts> system,
        int resamples = DefaultResamples, ulong seed = 0, double confidenceLevel = 0.95)
    {
        if (baseline.Count != system.Count)
            throw new ArgumentException($"{baseline.Count} baseline utterances but {system.Count} system utterances", nameof(system));
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "at least one resample");
        if (confidenceLevel is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "a level in (0, 1)");
        var n = baseline.Count;
        var refs = new int[n];
        var errA = new int[n];
        var errB = new int[n];
        long totalRef = 0, totalA = 0, totalB = 0;
        for (var i = 0; i < n; i++)
        {
            if (baseline[i].ReferenceLength != system[i].ReferenceLength)
                throw new ArgumentException($"utterance {i} has {baseline[i].ReferenceLength} reference words for the baseline but {system[i].ReferenceLength} for the system");
            (refs[i], errA[i], errB[i]) = (baseline[i].ReferenceLength, baseline[i].Errors, system[i].Errors);
            (totalRef, totalA, totalB) = (totalRef + refs[i], totalA + errA[i], totalB + errB[i]);
        }
        if (totalRef == 0) throw new ArgumentException("the utterances have no reference word, so WER is undefined");

        var rng = new DeterministicRandom(seed);
        var differences = new double[resamples];
        var improved = 0;
        for (var r = 0; r < resamples; r++)
        {
            long sumRef, sumA, sumB;
            do
            {
                sumRef = sumA = sumB = 0;
                for (var k = 0; k < n; k++)
                {
                    var i = rng.NextInt(n);
                    sumRef += refs[i];
                    sumA += errA[i];
                    sumB += errB[i];
                }
            } while (sumRef == 0);
            differences[r] = 100.0 * (sumB - sumA) / sumRef;
            if (sumB < sumA) improved++;
        }
        Array.Sort(differences);
        var tail = (1 - confidenceLevel) / 2;
        return new BootstrapResult(n, resamples, seed, confidenceLevel, 100.0 * (totalB - totalA) / totalRef,
            Descriptive.QuantileOfSorted(differences, tail), Descriptive.QuantileOfSorted(differences, 1 - tail),
            (double)improved / resamples);
    }
}
