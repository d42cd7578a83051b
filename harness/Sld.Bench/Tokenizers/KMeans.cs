// k-means on libtorch: greedy k-means++ (or random) initialisation, then full-batch Lloyd or mini-batch
// updates, following scikit-learn's KMeans / MiniBatchKMeans step for step (empty-cluster relocation,
// tolerance scaled by the data variance, count-based mini-batch learning rates, dead-centroid reassignment,
// smoothed-inertia early stopping). Every random choice comes from DeterministicRandom streams derived from the
// seed, and the whole state is checkpointed, so a fit is reproducible on CPU and resumes where it stopped.
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

/// <param name="Centers">(K, D) float32, owned by the caller.</param>
/// <param name="Inertia">Sum of squared distances of the fit frames to their nearest centroid.</param>
/// <param name="Iterations">Lloyd iterations or mini-batch steps run (including any before a resume).</param>
public sealed record KMeansResult(Tensor Centers, double Inertia, long Iterations, bool Converged);

public static partial class KMeans
{
    /// <summary>
    /// Clusters the rows of <paramref name="x"/> (N, D) float32. <paramref name="initialCenters"/> (K, D), when given,
    /// replaces the initialisation (as scikit-learn's init=array).
    /// </summary>
    public static KMeansResult Fit(Tensor x, KMeansOptions options, FitContext? context = null, Tensor? initialCenters = null)
    {
        options.Validate();
        var ctx = context ?? FitContext.None;
        if (x.dim() != 2) throw new ArgumentException($"k-means expects (frames, dims), got [{string.Join(", ", x.shape)}]");
        if (x.dtype != ScalarType.Float32) throw new ArgumentException($"k-means expects float32 frames, got {x.dtype.Name()}");
        if (x.size(0) < options.K) throw new ArgumentException($"k-means with K = {options.K} needs at least {options.K} frames, got {x.size(0)}");
        if (x.numel() >= int.MaxValue && options.Init == KMeansInit.KMeansPlusPlus && options.Algorithm == KMeansAlgorithm.Lloyd)
            throw new ArgumentException($"k-means++ over {x.size(0)} x {x.size(1)} frames exceeds 2^31 values: fit on fewer frames (FitData.MaxFrames) or use MiniBatch");
        using var scope = torch.NewDisposeScope(); // the result's centroids are detached from it; everything else is freed
        x = x.is_contiguous() ? x : x.contiguous();

        var checkpointPath = ctx.CheckpointPath(KMeansCheckpoint.FileName);
        var fingerprint = checkpointPath is null ? "" : KMeansCheckpoint.Fingerprint(x, options);
        using var state = KMeansCheckpoint.TryLoad(checkpointPath, fingerprint) ?? new KMeansCheckpoint();
        void Save() => state.Save(checkpointPath!, fingerprint);

        if (state.Phase == "done") // finished before an interruption of what came after it (the unit model, the stats)
            return new KMeansResult(state.Get("centers").clone().DetachFromDisposeScope(), state.FinalInertia, state.Step, state.Converged);
        // Lloyd and k-means++ run on the host kernels (on a host copy of frames from a CUDA device).
        var host = options.Algorithm == KMeansAlgorithm.Lloyd ? (x.device.type == DeviceType.CPU ? x : x.cpu().contiguous()) : null;
        var frames = host is null ? null : new LaneFrames(host);
        if (initialCenters is not null && (initialCenters.dim() != 2 || initialCenters.size(0) != options.K || initialCenters.size(1) != x.size(1)))
            throw new ArgumentException($"initial centers [{string.Join(", ", initialCenters.shape)}] are not ({options.K}, {x.size(1)})");
        if (state.Phase == "init")
        {
            using var centers = initialCenters is not null ? initialCenters.to(ScalarType.Float32).contiguous()
                : options.Algorithm == KMeansAlgorithm.MiniBatch ? InitMiniBatch(x, options, state, ctx, Save)
                : Initialise(x, frames, options, state, ctx, Save);
            state.Phase = "iterate";
            state.Step = 0;
            state.Rng = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, "iterate")).State;
            state.ChosenIds.Clear();
            state.ClearTensors();
            state.Set("centers", centers.clone());
        }
        KMeansResult result;
        if (frames is not null) result = LloydOnHost(host!, frames, options, state, ctx, Save);
        else
        {
            using var rowNorms = CentroidDistances.RowNormsSquared(x).DetachFromDisposeScope();
            result = MiniBatch(x, rowNorms, options, state, ctx, Save);
        }
        if (checkpointPath is not null)
        {
            state.Phase = "done";
            state.ClearTensors();
            state.Set("centers", result.Centers.clone());
            (state.FinalInertia, state.Converged, state.Step) = (result.Inertia, result.Converged, result.Iterations);
            Directory.CreateDirectory(ctx.CheckpointDirectory!);
            Save();
        }
        return result;
    }

    /// <summary>The initial centroids (K, D) the fit would start from: k-means++ or random frames, from the seed.</summary>
    public static Tensor Initialize(Tensor x, KMeansOptions options)
    {
        options.Validate();
        using var state = new KMeansCheckpoint();
        using var scope = torch.NewDisposeScope();
        var contiguous = x.is_contiguous() ? x : x.contiguous();
        return Initialise(contiguous, null, options, state, FitContext.None, () => { }).MoveToOuterDisposeScope();
    }

    /// <summary>The labels and inertia of a fitted model on the same frames (the final E-step).</summary>
    private static (Tensor labels, double inertia) Finish(Tensor x, Tensor rowNorms, Tensor centers)
    {
        var (labels, distances) = CentroidDistances.Nearest(x, centers, rowNorms: rowNorms);
        distances.Dispose();
        return (labels, CentroidDistances.Inertia(x, centers, labels));
    }

    private static double MeanVariance(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return x.var(0, unbiased: false).mean().ToDouble();
    }

    // ---- mini-batch ----

    private static Tensor InitMiniBatch(Tensor x, KMeansOptions o, KMeansCheckpoint state, FitContext ctx, Action save)
    {
        var n = x.size(0);
        var initSize = Math.Min(n, o.InitSize ?? Math.Max(3L * o.BatchSize, 3L * o.K));
        initSize = Math.Max(initSize, o.K);
        // Drawn from its own stream so a resumed init rebuilds the same sample without storing it.
        var sampler = new DeterministicRandom(DeterministicRandom.Derive(o.Seed, "init-sample"));
        var ids = new long[initSize];
        for (var i = 0; i < ids.Length; i++) ids[i] = sampler.NextLong(n);
        using var scope = torch.NewDisposeScope();
        var sample = x.index_select(0, torch.tensor(ids)).contiguous();
        return Initialise(sample, null, o, state, ctx, save).MoveToOuterDisposeScope();
    }

    private static KMeansResult MiniBatch(Tensor x, Tensor rowNorms, KMeansOptions o, KMeansCheckpoint state, FitContext ctx, Action save)
    {
        var (n, k) = (x.size(0), o.K);
        var batch = (int)Math.Min(o.BatchSize, n);
        var steps = Math.Max(1, o.MaxIterations * n / batch);
        var tolerance = o.Tolerance * MeanVariance(x);
        var alpha = Math.Min(1.0, batch * 2.0 / (n + 1)); // smoothing of the batch inertia, as scikit-learn
        var rng = DeterministicRandom.FromState(state.Rng);
        if (!state.Tensors.ContainsKey("counts")) state.Set("counts", torch.zeros([k], x.dtype, x.device));
        var converged = false;
        var ids = new long[batch];
        while (state.Step < steps)
        {
            using var scope = torch.NewDisposeScope();
            var centers = state.Get("centers");
            var counts = state.Get("counts");
            for (var i = 0; i < batch; i++) ids[i] = rng.NextLong(n);
            var index = torch.tensor(ids);
            var xb = x.index_select(0, index);
            var (labels, distances) = CentroidDistances.Nearest(xb, centers, rowNorms: rowNorms.index_select(0, index));
            var batchInertia = distances.sum().to(ScalarType.Float64).ToDouble() / batch;

            var (sums, batchCounts) = ClusterSums(xb, labels, k);
            var newCounts = counts.add(batchCounts);
            var moved = centers.mul(counts.unsqueeze(1)).add(sums).div(newCounts.clamp_min(1).unsqueeze(1));
            var updated = torch.where(batchCounts.gt(0).unsqueeze(1), moved, centers);

            // As scikit-learn: reassign every 10 K frames, or at once while some centroid has never been hit.
            var anyUnused = counts.eq(0).any().ToBoolean();
            state.SinceReassign += batch;
            if (o.ReassignmentRatio > 0 && (anyUnused || state.SinceReassign >= 10L * k))
            {
                Reassign(xb, updated, newCounts, o.ReassignmentRatio, rng);
                state.SinceReassign = 0;
            }
            var shift = updated.sub(centers).square().sum().ToDouble();
            state.Set("centers", updated);
            state.Set("counts", newCounts);
            state.Step++;

            state.Rng = rng.State;
            if (state.Step == 1)
            {
                ctx.Report("minibatch", state.Step, steps, batchInertia);
                ctx.AfterStep(save);
                continue; // the first step only moves the centroids off their initial frames: not judged, as scikit-learn
            }
            state.EwaInertia = double.IsNaN(state.EwaInertia) ? batchInertia : state.EwaInertia * (1 - alpha) + batchInertia * alpha;
            ctx.Report("minibatch", state.Step, steps, state.EwaInertia);
            if (o.Tolerance > 0 && shift <= tolerance)
            {
                converged = true;
                break;
            }
            if (state.EwaInertia < state.EwaInertiaMin)
            {
                state.NoImprovement = 0;
                state.EwaInertiaMin = state.EwaInertia;
            }
            else if (o.MaxNoImprovement > 0 && ++state.NoImprovement >= o.MaxNoImprovement)
            {
                converged = true;
                break;
            }
            ctx.AfterStep(save);
        }
        var final = state.Get("centers");
        var (finalLabels, inertia) = Finish(x, rowNorms, final);
        finalLabels.Dispose();
        return new KMeansResult(final.clone().DetachFromDisposeScope(), inertia, state.Step, converged);
    }

    /// <summary>
    /// Per-cluster sums (K, D) and counts (K) of the rows, summed on the host in row order: libtorch's accumulating
    /// index_put_ gives run-to-run differences once it runs on several threads.
    /// </summary>
    private static (Tensor sums, Tensor counts) ClusterSums(Tensor rows, Tensor labels, int k)
    {
        var d = (int)rows.size(1);
        var values = rows.ToArray<float>();
        var ids = labels.ToArray<long>();
        var sums = new float[k * d];
        var counts = new float[k];
        for (var i = 0; i < ids.Length; i++)
        {
            var sum = sums.AsSpan((int)ids[i] * d, d);
            var row = values.AsSpan(i * d, d);
            for (var j = 0; j < d; j++) sum[j] += row[j];
            counts[ids[i]]++;
        }
        return (torch.tensor(sums, k, d).to(rows.device), torch.tensor(counts).to(rows.device));
    }

    /// <summary>
    /// Moves centroids whose count is below ratio x the largest count to distinct random frames of the batch and gives
    /// them the smallest surviving count, as scikit-learn's MiniBatchKMeans (at most half a batch at a time).
    /// </summary>
    private static void Reassign(Tensor xb, Tensor centers, Tensor counts, double ratio, DeterministicRandom rng)
    {
        using var scope = torch.NewDisposeScope();
        var host = counts.ToArray<float>();
        var threshold = ratio * host.Max();
        var low = Enumerable.Range(0, host.Length).Where(c => host[c] < threshold).ToList();
        if (low.Count == 0) return;
        var limit = (int)(0.5 * xb.size(0));
        if (low.Count > limit) low = low.OrderBy(c => host[c]).ThenBy(c => c).Take(limit).Order().ToList();
        var frames = rng.SampleWithoutReplacement(xb.size(0), low.Count);
        var lowIndex = torch.tensor(low.Select(c => (long)c).ToArray());
        centers.index_put_(xb.index_select(0, torch.tensor(frames)), [lowIndex]);
        var survivors = host.Where((_, c) => host[c] >= threshold).DefaultIfEmpty(0).Min();
        counts.index_put_(torch.full([low.Count], survivors, counts.dtype), [lowIndex]);
    }
}
