// Lloyd iterations for frames on the CPU, on the host kernel of LaneFrames: one parallel pass per E-step (rather
// than a chain of small libtorch ops, each a thread barrier, which is slow whenever other processes hold the
// cores). The E-step keeps Hamerly's bounds: a frame keeps its centroid without comparing it to all K when its
// exact distance u is at most half the gap from that centroid to the next one or at most a lower bound on the
// distance to every other centroid; the frames that remain are packed into lane blocks and compared with every
// centroid. Decisions are per frame and the M-step sums in frame order, so results do not depend on the number of
// threads, and a resumed fit reproduces an uninterrupted one exactly.
using System.Numerics;
using System.Runtime.InteropServices;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public static partial class KMeans
{
    private static KMeansResult LloydOnHost(Tensor x, LaneFrames f, KMeansOptions o, KMeansCheckpoint state, FitContext ctx, Action save)
    {
        var (n, d, k) = (f.N, f.D, o.K);
        var tolerance = o.Tolerance * MeanVariance(x);
        var centers = state.Get("centers").ToArray<float>();
        var labels = new int[n];
        var lower = new float[n];
        var distances = new float[n];
        var bounded = state.Tensors.TryGetValue("labels", out var saved);
        if (bounded)
        {
            var l = saved!.ToArray<long>();
            for (var i = 0; i < n; i++) labels[i] = (int)l[i];
            state.Get("lower").CopyTo<float>(lower);
        }
        var converged = false;
        while (state.Step < o.MaxIterations)
        {
            var previous = bounded ? (int[])labels.Clone() : null;
            EStep(f, centers, k, labels, lower, distances, bounded);
            var inertia = distances.Sum(v => (double)v);
            if (previous is not null && labels.AsSpan().SequenceEqual(previous))
            {
                converged = true; // strict convergence: the same labels give the same centroids
                break;
            }
            var updated = UpdateCentersOnHost(f, labels, distances, k);
            // Another centroid can come at most the largest shift closer to a frame than it was.
            double shift = 0, largest = 0;
            for (var c = 0; c < k; c++)
            {
                var m = SquaredDistance(updated.AsSpan(c * d, d), centers.AsSpan(c * d, d));
                shift += m;
                largest = Math.Max(largest, m);
            }
            var move = (float)Math.Sqrt(largest);
            for (var i = 0; i < n; i++) lower[i] = Math.Max(lower[i] - move, 0);
            centers = updated;
            bounded = true;
            state.Step++;
            ctx.Report("lloyd", state.Step, o.MaxIterations, inertia);
            if (shift <= tolerance)
            {
                converged = true;
                break;
            }
            ctx.AfterStep(() =>
            {
                state.Set("centers", torch.tensor(centers, k, d));
                state.Set("labels", torch.tensor(labels.Select(l => (long)l).ToArray()));
                state.Set("lower", torch.tensor(lower));
                save();
            });
        }
        EStep(f, centers, k, labels, lower, distances, bounded);
        // The reported inertia is exact: direct differences, summed in float64 in frame order.
        var rows = f.Rows;
        double total = 0;
        for (var i = 0; i < n; i++) total += SquaredDistance(rows.Slice(i * d, d), centers.AsSpan(labels[i] * d, d));
        return new KMeansResult(torch.tensor(centers, k, d).DetachFromDisposeScope(), total, state.Step, converged);
    }

    /// <summary>Assigns every frame its nearest centroid (labels, squared distances) and renews the lower bounds of those compared with all K.</summary>
    private static void EStep(LaneFrames f, float[] centers, int k, int[] labels, float[] lower, float[] distances, bool bounded)
    {
        var (d, L) = (f.D, LaneFrames.L);
        var padded = (k + 3) / 4 * 4; // centroids go through the kernel four at a time; padding sits at infinite distance
        var norms = new float[padded];
        for (var c = 0; c < padded; c++) norms[c] = c < k ? Norm(centers, c, d) : float.PositiveInfinity;
        var maxNorm = norms.Take(k).Max();
        var half = bounded ? HalfGaps(centers, k, d) : null;
        var groups = (f.N + FramesPerGroup - 1) / FramesPerGroup;
        Parallel.For(0, groups, LaneFrames.Parallelism, g =>
        {
            var rows = f.Rows;
            var first = g * FramesPerGroup;
            var count = Math.Min(FramesPerGroup, f.N - first);
            var active = new List<int>(count);
            for (var frame = first; frame < first + count; frame++)
            {
                if (bounded)
                {
                    var a = labels[frame];
                    var u2 = SquaredDistance(rows.Slice(frame * d, d), centers.AsSpan(a * d, d));
                    distances[frame] = u2;
                    var bound = Math.Max(half![a], lower[frame]);
                    if (u2 <= bound * bound) continue;
                }
                active.Add(frame);
            }
            if (active.Count == 0) return;
            // Pack the frames to compare into lane blocks (padding lanes stay zero and are ignored).
            var blocks = (active.Count + L - 1) / L;
            var lanes = new float[blocks * d * L];
            var laneNorms = new float[blocks * L];
            for (var i = 0; i < active.Count; i++)
            {
                var row = rows.Slice(active[i] * d, d);
                for (var j = 0; j < d; j++) lanes[(i / L * d + j) * L + i % L] = row[j];
                laneNorms[i] = f.FrameNorms[active[i]];
            }
            Span<Vector<float>> dv = stackalloc Vector<float>[4];
            for (var b = 0; b < blocks; b++)
            {
                var min1 = new Vector<float>(float.PositiveInfinity);
                var min2 = min1;
                var arg = Vector<int>.Zero;
                for (var c0 = 0; c0 < padded; c0 += 4)
                {
                    LaneFrames.Distances4(lanes, laneNorms, b, d, Center(centers, c0, k, d), Center(centers, c0 + 1, k, d), Center(centers, c0 + 2, k, d),
                        Center(centers, c0 + 3, k, d), norms.AsSpan(c0, 4), dv);
                    for (var t = 0; t < 4; t++)
                    {
                        var lt = Vector.LessThan(dv[t], min1); // strict: ties keep the first centroid, as argmin
                        min2 = Vector.ConditionalSelect(lt, min1, Vector.Min(min2, dv[t]));
                        arg = Vector.ConditionalSelect(Vector.AsVectorInt32(lt), new Vector<int>(c0 + t), arg);
                        min1 = Vector.ConditionalSelect(lt, dv[t], min1);
                    }
                }
                for (var l = 0; l < L && b * L + l < active.Count; l++)
                {
                    var frame = active[b * L + l];
                    labels[frame] = arg[l];
                    distances[frame] = min1[l];
                    // The expansion's error is a few float32 ulps of |x|^2 + |c|^2; 1e-6 of that is a safe margin.
                    var margin = 1e-6f * (f.FrameNorms[frame] + maxNorm);
                    lower[frame] = MathF.Sqrt(Math.Max(min2[l] - margin, 0));
                }
            }
        });
    }

    /// <summary>Frames per parallel work item of the E-step.</summary>
    private const int FramesPerGroup = 2048;

    /// <summary>
    /// The M-step on the host, in frame order with float64 sums, so it is deterministic for any thread count (libtorch's
    /// accumulating index_put_ is not once it runs on several threads). Empty clusters take the frames farthest from
    /// their centroid, farthest first (ties by frame), as scikit-learn.
    /// </summary>
    private static float[] UpdateCentersOnHost(LaneFrames f, int[] labels, float[] distances, int k)
    {
        var d = f.D;
        var sums = new double[k * d];
        var counts = new long[k];
        var rows = f.Rows;
        var vectors = d / Vector<float>.Count * Vector<float>.Count;
        for (var i = 0; i < f.N; i++)
        {
            var row = rows.Slice(i * d, d);
            var sum = sums.AsSpan(labels[i] * d, d);
            var wide = MemoryMarshal.Cast<double, Vector<double>>(sum[..vectors]);
            var narrow = MemoryMarshal.Cast<float, Vector<float>>(row[..vectors]);
            for (var v = 0; v < narrow.Length; v++)
            {
                Vector.Widen(narrow[v], out var low, out var high);
                wide[2 * v] += low;
                wide[2 * v + 1] += high;
            }
            for (var j = vectors; j < d; j++) sum[j] += row[j];
            counts[labels[i]]++;
        }
        var empty = Enumerable.Range(0, k).Where(c => counts[c] == 0).ToArray();
        if (empty.Length > 0)
        {
            var far = Enumerable.Range(0, f.N).OrderByDescending(i => distances[i]).ThenBy(i => i).Take(empty.Length).ToArray();
            for (var e = 0; e < empty.Length; e++)
            {
                var row = rows.Slice(far[e] * d, d);
                var from = sums.AsSpan(labels[far[e]] * d, d);
                var to = sums.AsSpan(empty[e] * d, d);
                for (var j = 0; j < d; j++) (from[j], to[j]) = (from[j] - row[j], row[j]);
                counts[labels[far[e]]]--;
                counts[empty[e]] = 1;
            }
        }
        var centers = new float[k * d];
        for (var c = 0; c < k; c++)
            for (var j = 0; j < d; j++)
                centers[c * d + j] = (float)(sums[c * d + j] / Math.Max(counts[c], 1));
        return centers;
    }

    private static float Norm(float[] centers, int c, int d)
    {
        var row = centers.AsSpan(c * d, d);
        float sum = 0;
        foreach (var v in row) sum += v * v;
        return sum;
    }

    private static ReadOnlySpan<float> Center(float[] centers, int c, int k, int d) => centers.AsSpan(Math.Min(c, k - 1) * d, d);

    /// <summary>Half the distance from each centroid to its closest other centroid, shaved by 1e-5 against rounding.</summary>
    private static float[] HalfGaps(float[] centers, int k, int d)
    {
        var half = new float[k];
        Parallel.For(0, k, LaneFrames.Parallelism, a =>
        {
            var closest = float.PositiveInfinity;
            for (var c = 0; c < k; c++)
                if (c != a) closest = Math.Min(closest, SquaredDistance(centers.AsSpan(a * d, d), centers.AsSpan(c * d, d)));
            half[a] = 0.5f * (1 - 1e-5f) * MathF.Sqrt(closest);
        });
        return half;
    }
}
