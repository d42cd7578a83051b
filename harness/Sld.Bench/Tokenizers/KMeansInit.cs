// k-means initialisation. Greedy k-means++ as scikit-learn's _kmeans_plusplus: the first centroid is a
// uniform frame; each next one is the best (lowest resulting potential) of a few candidates drawn with
// probability proportional to the squared distance to the nearest chosen centroid. The step runs on the host
// (LaneFrames: SIMD over blocks of frames, parallel over fixed groups of blocks, so results do not depend on
// scheduling) and skips a block whenever the triangle inequality proves a candidate cannot be nearer to any of
// its frames than their current centroids: |c - mu| >= 2 |x - mu| implies |x - c| >= |x - mu|. Frames are
// regrouped by nearest centroid at 16, 64, 256, ... centroids so blocks are coherent enough to be skipped. The
// frame order, nearest centroids and distances, chosen frames and random state are checkpointed.
using Sld.Bench.Shared.Statistics;
using System.Numerics;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public static partial class KMeans
{
    /// <summary>The initial centroids (K, D) of <paramref name="x"/>, resuming the choice recorded in <paramref name="state"/>.</summary>
    private static Tensor Initialise(Tensor x, LaneFrames? frames, KMeansOptions o, KMeansCheckpoint state, FitContext ctx, Action save)
    {
        if (state.Rng.Length == 0) state.Rng = new DeterministicRandom(DeterministicRandom.Derive(o.Seed, "init")).State;
        var rng = DeterministicRandom.FromState(state.Rng);
        if (o.Init == KMeansInit.Random)
        {
            state.ChosenIds.AddRange(rng.SampleWithoutReplacement(x.size(0), o.K));
            ctx.Report("random init", o.K, o.K);
        }
        else
        {
            using var host = frames is null ? x.cpu().contiguous() : null;
            new PlusPlus(frames ?? new LaneFrames(host!), o.K, o.LocalTrialCount, rng, state, ctx, save).Run();
        }
        using var ids = torch.tensor(state.ChosenIds.ToArray()).to(x.device);
        return x.index_select(0, ids);
    }

    private sealed class PlusPlus(LaneFrames f, int k, int trials, DeterministicRandom rng, KMeansCheckpoint state, FitContext ctx, Action save)
    {
        private static readonly int L = LaneFrames.L;
        private readonly int _padded = (trials + 3) / 4 * 4; // candidates go through the kernel four at a time
        private int[] _nearest = new int[f.Blocks * L]; // per position: index (in choice order) of the nearest chosen centroid
        private float[] _closest = new float[f.Blocks * L]; // per position: squared distance to it (0 for padding)
        private readonly float[] _distances = new float[trials * f.Blocks * L]; // (trials, positions), +inf where skipped
        private readonly double[] _groupSums = new double[f.Groups];

        public void Run()
        {
            if (state.ChosenIds.Count == 0)
            {
                var first = rng.NextLong(f.N);
                var row = f.Row(first).ToArray();
                var norm = f.FrameNorms[first];
                Parallel.For(0, f.Groups, LaneFrames.Parallelism, g =>
                {
                    Span<Vector<float>> d = stackalloc Vector<float>[4];
                    var (start, end) = f.BlocksOf(g);
                    for (var b = start; b < end; b++)
                    {
                        f.Distances4(b, row, row, row, row, [norm, norm, norm, norm], d);
                        for (var l = 0; l < L; l++) _closest[b * L + l] = b * L + l < f.N ? d[0][l] : 0;
                    }
                });
                state.ChosenIds.Add(first);
                ctx.Report("kmeans++", 1, k, Potential());
                if (k > 1) ctx.AfterStep(WriteCheckpoint);
            }
            else
            {
                f.SetOrder(state.Get("order").ToArray<int>());
                state.Get("closest").CopyTo<float>(_closest);
                state.Get("nearest").CopyTo<int>(_nearest);
            }
            var centers = new List<float[]>(state.ChosenIds.Select(id => f.Row(id).ToArray()));
            var candidates = new long[_padded];
            var gains = new double[f.Groups * trials];
            while (state.ChosenIds.Count < k)
            {
                var chosen = state.ChosenIds.Count;
                if (chosen >= 16 && (chosen & (chosen - 1)) == 0 && BitOperations.TrailingZeroCount(chosen) % 2 == 0) Regroup();
                var potential = Potential();
                for (var t = 0; t < trials; t++) candidates[t] = f.Order[Sample(rng.NextDouble() * potential)];
                for (var t = trials; t < _padded; t++) candidates[t] = candidates[trials - 1]; // padding, computed and ignored
                var rows = candidates.Select(c => f.Row(c).ToArray()).ToArray();
                var norms = candidates.Select(c => f.FrameNorms[c]).ToArray();
                var bounds = CandidateToCenterDistances(rows, centers);
                Parallel.For(0, f.Groups, LaneFrames.Parallelism, g => Gains(g, rows, norms, bounds, chosen, gains.AsSpan(g * trials, trials)));
                var best = 0;
                var bestGain = double.NegativeInfinity;
                for (var t = 0; t < trials; t++)
                {
                    double gain = 0;
                    for (var g = 0; g < f.Groups; g++) gain += gains[g * trials + t];
                    if (gain > bestGain) (best, bestGain) = (t, gain);
                }
                Parallel.For(0, f.Groups, LaneFrames.Parallelism, g => Accept(g, best, chosen));
                state.ChosenIds.Add(candidates[best]);
                centers.Add(rows[best]);
                ctx.Report("kmeans++", chosen + 1, k, potential - bestGain);
                if (state.ChosenIds.Count < k) ctx.AfterStep(WriteCheckpoint);
            }
        }

        /// <summary>Groups positions by nearest centroid, carrying the per-position state along.</summary>
        private void Regroup()
        {
            var from = f.SortBy(_nearest);
            var (closest, nearest) = (new float[_closest.Length], new int[_nearest.Length]);
            for (var p = 0; p < f.N; p++) (closest[p], nearest[p]) = (_closest[from[p]], _nearest[from[p]]);
            (_closest, _nearest) = (closest, nearest);
        }

        /// <summary>The total potential, kept per group of positions (in float64) for sampling.</summary>
        private double Potential()
        {
            double total = 0;
            for (var g = 0; g < f.Groups; g++)
            {
                var (start, end) = f.BlocksOf(g);
                double sum = 0;
                for (var p = start * L; p < end * L; p++) sum += _closest[p];
                total += _groupSums[g] = sum;
            }
            return total;
        }

        /// <summary>The first position whose running sum of distances reaches <paramref name="value"/> (numpy's searchsorted, side="left").</summary>
        private int Sample(double value)
        {
            var g = 0;
            for (; g < f.Groups - 1 && value > _groupSums[g]; g++) value -= _groupSums[g];
            var (start, end) = f.BlocksOf(g);
            var last = Math.Min(end * L, f.N) - 1;
            double sum = 0;
            for (var p = start * L; p < last; p++)
                if ((sum += _closest[p]) >= value && _closest[p] > 0) return p;
            return last;
        }

        /// <summary>(padded trials, chosen): a quarter of the squared distance between each candidate and each chosen centroid.</summary>
        private float[] CandidateToCenterDistances(float[][] rows, List<float[]> centers)
        {
            var result = new float[_padded * centers.Count];
            for (var t = 0; t < _padded; t++)
                for (var j = 0; j < centers.Count; j++)
                    result[t * centers.Count + j] = SquaredDistance(rows[t], centers[j]) / 4;
            return result;
        }

        /// <summary>Whether candidate t could be nearer than their centroid to any frame of block b (never to padding, at distance 0).</summary>
        private bool AnyCloser(int b, int t, float[] bounds, int chosen)
        {
            for (var l = 0; l < L; l++)
                if (bounds[t * chosen + _nearest[b * L + l]] < _closest[b * L + l]) return true;
            return false;
        }

        /// <summary>For one group of blocks, how much each candidate would lower the potential; keeps the distances for Accept.</summary>
        private void Gains(int group, float[][] rows, float[] norms, float[] bounds, int chosen, Span<double> gains)
        {
            gains.Clear();
            var stride = _closest.Length;
            var skipped = new Vector<float>(float.PositiveInfinity);
            Span<Vector<float>> d = stackalloc Vector<float>[4];
            var (start, end) = f.BlocksOf(group);
            for (var b = start; b < end; b++)
            {
                var current = new Vector<float>(_closest.AsSpan(b * L, L));
                for (var t0 = 0; t0 < _padded; t0 += 4)
                {
                    var any = false;
                    for (var t = t0; t < t0 + 4 && !any; t++) any = AnyCloser(b, t, bounds, chosen);
                    if (!any)
                    {
                        for (var t = t0; t < Math.Min(t0 + 4, trials); t++) skipped.CopyTo(_distances.AsSpan(t * stride + b * L, L));
                        continue;
                    }
                    f.Distances4(b, rows[t0], rows[t0 + 1], rows[t0 + 2], rows[t0 + 3], norms.AsSpan(t0, 4), d);
                    for (var t = t0; t < Math.Min(t0 + 4, trials); t++)
                    {
                        d[t - t0].CopyTo(_distances.AsSpan(t * stride + b * L, L));
                        gains[t] += Vector.Sum(Vector.Max(current - d[t - t0], Vector<float>.Zero));
                    }
                }
            }
        }

        private void Accept(int group, int best, int chosen)
        {
            var (start, end) = f.BlocksOf(group);
            var d = _distances.AsSpan(best * _closest.Length);
            for (var p = start * L; p < end * L; p++)
            {
                if (d[p] >= _closest[p]) continue;
                _closest[p] = d[p];
                _nearest[p] = chosen;
            }
        }

        private void WriteCheckpoint()
        {
            state.Rng = rng.State;
            state.Set("order", torch.tensor(f.Order));
            state.Set("closest", torch.tensor(_closest));
            state.Set("nearest", torch.tensor(_nearest));
            save();
        }
    }

    /// <summary>|a - b|^2 with SIMD lanes over the feature dimension.</summary>
    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var va = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(b);
        var acc = Vector<float>.Zero;
        for (var i = 0; i < va.Length; i++)
        {
            var diff = va[i] - vb[i];
            acc += diff * diff;
        }
        var sum = Vector.Sum(acc);
        for (var i = va.Length * Vector<float>.Count; i < a.Length; i++)
        {
            var diff = a[i] - b[i];
            sum += diff * diff;
        }
        return sum;
    }
}
