// The settings of a k-means fit, named and defaulted as scikit-learn's KMeans / MiniBatchKMeans so that a
// configuration reads the same in both and the benchmark compares like with like.
namespace Sld.Bench.Tokenizers;

public enum KMeansInit
{
    /// <summary>Greedy k-means++ (2 + ln K candidates per step, the best kept), as scikit-learn.</summary>
    KMeansPlusPlus,

    /// <summary>K distinct frames drawn uniformly.</summary>
    Random,
}

public enum KMeansAlgorithm
{
    /// <summary>Full-batch Lloyd iterations over all fit frames.</summary>
    Lloyd,

    /// <summary>Mini-batch updates with per-centroid learning rate 1/count (Sculley 2010, scikit-learn's MiniBatchKMeans).</summary>
    MiniBatch,
}

/// <param name="K">Number of centroids (the codebook size).</param>
/// <param name="MaxIterations">Lloyd: full passes. Mini-batch: epochs, i.e. MaxIterations * N / BatchSize steps.</param>
/// <param name="Tolerance">Stop when the summed squared centroid shift is at most Tolerance times the mean feature
/// variance (scikit-learn's tol); 0 runs every iteration unless the labels stop changing.</param>
/// <param name="BatchSize">Mini-batch only: frames per step.</param>
/// <param name="InitSize">Mini-batch only: frames drawn for the initialisation (default 3 x BatchSize, at least 3K).</param>
/// <param name="ReassignmentRatio">Mini-batch only: centroids whose count is below this fraction of the largest are
/// moved to random frames of the batch (revives dead centroids).</param>
/// <param name="MaxNoImprovement">Mini-batch only: stop after this many steps without a better smoothed inertia; 0 disables.</param>
/// <param name="LocalTrials">k-means++ candidates per step (default 2 + floor(ln K)).</param>
/// <param name="Seed">Every random choice of the fit derives from it.</param>
public sealed record KMeansOptions(
    int K,
    KMeansInit Init = KMeansInit.KMeansPlusPlus,
    KMeansAlgorithm Algorithm = KMeansAlgorithm.Lloyd,
    int MaxIterations = 100,
    double Tolerance = 1e-4,
    int BatchSize = 10_000,
    int? InitSize = null,
    double ReassignmentRatio = 0.01,
    int MaxNoImprovement = 10,
    int? LocalTrials = null,
    ulong Seed = 0)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public int LocalTrialCount => LocalTrials ?? 2 + (int)Math.Log(K);

    public void Validate()
    {
        if (K < 1) throw new ArgumentException($"k-means needs K >= 1, got {K}");
        if (MaxIterations < 1) throw new ArgumentException($"k-means needs MaxIterations >= 1, got {MaxIterations}");
        if (Tolerance < 0) throw new ArgumentException($"k-means tolerance must be >= 0, got {Tolerance}");
        if (BatchSize < 1) throw new ArgumentException($"mini-batch size must be >= 1, got {BatchSize}");
        if (InitSize is < 1) throw new ArgumentException($"mini-batch init size must be >= 1, got {InitSize}");
        if (ReassignmentRatio is < 0 or > 1) throw new ArgumentException($"reassignment ratio must be in [0, 1], got {ReassignmentRatio}");
        if (MaxNoImprovement < 0) throw new ArgumentException($"MaxNoImprovement must be >= 0, got {MaxNoImprovement}");
        if (LocalTrials is < 1) throw new ArgumentException($"k-means++ needs at least one local trial, got {LocalTrials}");
    }
}
