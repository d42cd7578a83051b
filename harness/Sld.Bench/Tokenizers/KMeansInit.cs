// k-means initialisation. Greedy k-means++ as scikit-learn's _kmeans_plusplus: the first centroid is a
// uniform frame; each next one is the best (lowest resulting potential) of a few candidates drawn with
// probability proportional to the squared distance to the nearest chosen centroid. The step runs on the
// host (SIMD over blocks of frames, parallel over fixed groups of blocks, so results do not depend on
// scheduling) and skips a block whenever the triangle inequality proves a candidate cannot be nearer to any
// of its frames than their current centroids: |c - mu| >= 2 |x - mu| implies |x - c| >= |x - mu|. Frames are
// regrouped by nearest centroid as centroids accumulate so that blocks are coherent enough to be skipped.
// The frame order, nearest centroids and distances, chosen frames and random state are checkpointed, so an
// interrupted init resumes exactly.
using System.Numerics;
using System.Runtime.InteropServices;
using Sld.Bench.Torch;

namespace Sld.Bench.Tokenizers;

public static partial class KMeans
{
    /// <summary>The initial centroids (K, D) of <paramref name="x"/>, resuming the choice recorded in <paramref name="state"/>.</summary>
    private static Tensor Initialise(Tensor x, KMeansOptions o, KMeansCheckpoint state, FitContext ctx, Action save)
    {
        if (state.Rng.Length == 0) state.Rng = new SeededRandom(SeededRandom.Derive(o.Seed, "init")).State;
        var rng = SeededRandom.FromState(state.Rng);
        if (o.Init == KMeansInit.Random)
        {
            state.ChosenIds.AddRange(rng.SampleWithoutReplacement(x.size(0), o.K));
            ctx.Report("random init", o.K, o.K);
        }
        else
        {
            new PlusPlus(x, o.K, o.LocalTrialCount, rng, state, ctx, save).Run();
        }
        return x.index_select(0, torch.tensor(state.ChosenIds.ToArray()));
    }

    private sealed class PlusPlus
    {
        private static readonly int L = Vector<float>.Count;

        /// <summary>Blocks of L frames per parallel work item: 256 x 8 frames.</summary>
        private const int GroupBlocks = 256;

        private readonly int _n, _d, _k, _trials, _padded, _blocks, _groups;
        private readonly SeededRandom _rng;
        private readonly KMeansCheckpoint _state;
        private readonly FitContext _ctx;
        private readonly Action _save;
        private readonly float[] _rows; // the frames, row-major (N, D), in their original order
        // Per position (frames are regrouped by nearest centroid now and then, so that a block of L frames tends to
        // share one centroid and the triangle inequality can skip the whole block):
        private int[] _order; // the frame at each position
        private readonly float[] _lanes; // frames lane-transposed: (blocks, D, L), padded with zero frames
        private readonly float[] _norms; // squared norm of each frame
        private float[] _closest; // squared distance to the nearest chosen centroid (0 for padding)
        private int[] _nearest; // index (in choice order) of that centroid
        private readonly float[] _distances; // (trials, positions) the last step's candidate distances, +inf where skipped
        private readonly float[] _centers; // chosen centroids, row-major
        private readonly double[] _cumulative;

        public PlusPlus(Tensor x, int k, int trials, SeededRandom rng, KMeansCheckpoint state, FitContext ctx, Action save)
        {
            (_k, _trials, _rng, _state, _ctx, _save) = (k, trials, rng, state, ctx, save);
            _padded = (trials + 3) / 4 * 4; // candidates go through the kernel four at a time
            _n = checked((int)x.size(0));
            _d = checked((int)x.size(1));
            _rows = x.ToArray<float>();
            _blocks = (_n + L - 1) / L;
            _groups = (_blocks + GroupBlocks - 1) / GroupBlocks;
            _order = Enumerable.Range(0, _n).ToArray();
            _lanes = new float[_blocks * _d * L];
            _norms = new float[_blocks * L];
            _closest = new float[_blocks * L];
            _nearest = new int[_blocks * L];
            _distances = new float[trials * _blocks * L];
            _centers = new float[k * _d];
            _cumulative = new double[_n];
        }

        private Span<float> Row(long frame) => _rows.AsSpan((int)(frame * _d), _d);

        /// <summary>Rebuilds the lane layout and norms from <see cref="_order"/>.</summary>
        private void Layout()
        {
            Array.Clear(_lanes);
            Array.Clear(_norms);
            Parallel.For(0, _blocks, Options, b =>
            {
                for (var l = 0; l < L && b * L + l < _n; l++)
                {
                    var row = Row(_order[b * L + l]);
                    for (var j = 0; j < _d; j++) _lanes[(b * _d + j) * L + l] = row[j];
                    _norms[b * L + l] = SquaredDistance(row, new float[_d]);
                }
            });
        }

        /// <summary>Sorts positions by nearest centroid (stable), carrying the per-position state along.</summary>
        private void Regroup()
        {
            var positions = Enumerable.Range(0, _n).OrderBy(p => _nearest[p]).ToArray();
            var (order, closest, nearest) = (new int[_n], new float[_closest.Length], new int[_nearest.Length]);
            for (var p = 0; p < _n; p++) (order[p], closest[p], nearest[p]) = (_order[positions[p]], _closest[positions[p]], _nearest[positions[p]]);
            (_order, _closest, _nearest) = (order, closest, nearest);
            Layout();
        }

        public void Run()
        {
            var broadcast = new Vector<float>[_padded * _d];
            if (_state.ChosenIds.Count == 0)
            {
                Layout();
                var first = _rng.NextLong(_n);
                Row(first).CopyTo(_centers);
                Broadcast(_centers.AsSpan(0, _d), broadcast.AsSpan(0, _d));
                var norm = SquaredDistance(Row(first), new float[_d]);
                Parallel.For(0, _groups, Options, g => ForBlocks(g, b =>
                {
                    var d = Distances(b, broadcast.AsSpan(0, _d), norm);
                    for (var l = 0; l < L; l++) _closest[b * L + l] = b * L + l < _n ? d[l] : 0;
                }));
                _state.ChosenIds.Add(first);
                _ctx.Report("kmeans++", 1, _k, Cumulate());
                if (_k > 1) _ctx.AfterStep(WriteCheckpoint);
            }
            else
            {
                _state.Get("order").CopyTo<int>(_order);
                _state.Get("closest").CopyTo<float>(_closest);
                _state.Get("nearest").CopyTo<int>(_nearest);
                for (var j = 0; j < _state.ChosenIds.Count; j++) Row(_state.ChosenIds[j]).CopyTo(_centers.AsSpan(j * _d));
                Layout();
            }
            var candidates = new long[_padded];
            var candidateNorms = new float[_padded];
            var gains = new double[_groups * _trials];
            while (_state.ChosenIds.Count < _k)
            {
                var chosen = _state.ChosenIds.Count;
                if (chosen >= 16 && (chosen & (chosen - 1)) == 0) Regroup(); // at 16, 32, 64, ... centroids
                var potential = Cumulate();
                for (var t = 0; t < _trials; t++)
                {
                    // numpy's searchsorted (side="left"): the first running sum that reaches the drawn value.
                    var at = Array.BinarySearch(_cumulative, _rng.NextDouble() * potential);
                    var position = Math.Min(at >= 0 ? FirstEqual(at) : ~at, _n - 1);
                    candidates[t] = _order[position];
                    Broadcast(Row(candidates[t]), broadcast.AsSpan(t * _d, _d));
                    candidateNorms[t] = _norms[position];
                }
                for (var t = _trials; t < _padded; t++) // padding: repeats of the last candidate, computed and ignored
                {
                    candidates[t] = candidates[_trials - 1];
                    broadcast.AsSpan((_trials - 1) * _d, _d).CopyTo(broadcast.AsSpan(t * _d, _d));
                    candidateNorms[t] = candidateNorms[_trials - 1];
                }
                var bounds = CandidateToCenterDistances(candidates, chosen);
                Parallel.For(0, _groups, Options, g => Gains(g, broadcast, candidateNorms, bounds, chosen, gains.AsSpan(g * _trials, _trials)));
                var best = 0;
                var bestGain = double.NegativeInfinity;
                for (var t = 0; t < _trials; t++)
                {
                    double gain = 0;
                    for (var g = 0; g < _groups; g++) gain += gains[g * _trials + t];
                    if (gain > bestGain) (best, bestGain) = (t, gain);
                }
                Row(candidates[best]).CopyTo(_centers.AsSpan(chosen * _d));
                Parallel.For(0, _groups, Options, g => Accept(g, best, chosen));
                _state.ChosenIds.Add(candidates[best]);
                _ctx.Report("kmeans++", chosen + 1, _k, potential - bestGain);
                if (_state.ChosenIds.Count < _k) _ctx.AfterStep(WriteCheckpoint);
            }
        }

        private int FirstEqual(int at)
        {
            while (at > 0 && _cumulative[at - 1] == _cumulative[at]) at--;
            return at;
        }

        private static ParallelOptions Options => new() { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) };

        private void ForBlocks(int group, Action<int> body)
        {
            var end = Math.Min(_blocks, (group + 1) * GroupBlocks);
            for (var b = group * GroupBlocks; b < end; b++) body(b);
        }

        private static void Broadcast(ReadOnlySpan<float> row, Span<Vector<float>> into)
        {
            for (var j = 0; j < row.Length; j++) into[j] = new Vector<float>(row[j]);
        }

        /// <summary>
        /// Squared distances from the L frames of block b to one point given as broadcast lanes and its squared norm, by
        /// |x|^2 - 2 x.c + |c|^2 with four independent accumulators (the FMA chain would otherwise wait on latency).
        /// </summary>
        private Vector<float> Distances(int b, ReadOnlySpan<Vector<float>> point, float pointNorm)
        {
            var block = MemoryMarshal.Cast<float, Vector<float>>(_lanes.AsSpan(b * _d * L, _d * L));
            Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            var j = 0;
            for (; j + 4 <= point.Length; j += 4)
            {
                a0 = Vector.FusedMultiplyAdd(block[j], point[j], a0);
                a1 = Vector.FusedMultiplyAdd(block[j + 1], point[j + 1], a1);
                a2 = Vector.FusedMultiplyAdd(block[j + 2], point[j + 2], a2);
                a3 = Vector.FusedMultiplyAdd(block[j + 3], point[j + 3], a3);
            }
            for (; j < point.Length; j++) a0 = Vector.FusedMultiplyAdd(block[j], point[j], a0);
            var dot = (a0 + a1) + (a2 + a3);
            var norms = new Vector<float>(_norms.AsSpan(b * L, L));
            return Vector.Max(norms + new Vector<float>(pointNorm) - dot * 2, Vector<float>.Zero);
        }

        /// <summary>Running sums of the nearest-centroid distances by position (in float64, as numpy's stable_cumsum); returns the total.</summary>
        private double Cumulate()
        {
            double sum = 0;
            for (var i = 0; i < _n; i++) _cumulative[i] = sum += _closest[i];
            return sum;
        }

        /// <summary>(trials, chosen): a quarter of the squared distance between each candidate and each chosen centroid.</summary>
        private float[] CandidateToCenterDistances(long[] candidates, int chosen)
        {
            var result = new float[_padded * chosen];
            for (var t = 0; t < _padded; t++)
                for (var j = 0; j < chosen; j++)
                    result[t * chosen + j] = SquaredDistance(Row(candidates[t]), _centers.AsSpan(j * _d, _d)) / 4;
            return result;
        }

        /// <summary>
        /// Whether any frame of block b could move to candidate t: it cannot when |c - mu|^2 / 4 >= its distance to
        /// its centroid mu (padding frames, at distance 0, never can).
        /// </summary>
        private bool AnyCloser(int b, int t, float[] bounds, int chosen)
        {
            for (var l = 0; l < L; l++)
            {
                var i = b * L + l;
                if (bounds[t * chosen + _nearest[i]] < _closest[i]) return true;
            }
            return false;
        }

        /// <summary>For one group of blocks, how much each candidate would lower the potential; keeps the distances for Accept.</summary>
        private void Gains(int group, Vector<float>[] broadcast, float[] norms, float[] bounds, int chosen, Span<double> gains)
        {
            gains.Clear();
            var stride = _closest.Length;
            var skipped = new Vector<float>(float.PositiveInfinity);
            Span<Vector<float>> d = stackalloc Vector<float>[4];
            var end = Math.Min(_blocks, (group + 1) * GroupBlocks);
            for (var b = group * GroupBlocks; b < end; b++)
            {
                var current = new Vector<float>(_closest.AsSpan(b * L, L));
                for (var t0 = 0; t0 < _padded; t0 += 4)
                {
                    var any = false;
                    for (var t = t0; t < t0 + 4 && !any; t++) any = AnyCloser(b, t, bounds, chosen);
                    if (!any)
                    {
                        for (var t = t0; t < Math.Min(t0 + 4, _trials); t++) skipped.CopyTo(_distances.AsSpan(t * stride + b * L, L));
                        continue;
                    }
                    Distances4(b, broadcast.AsSpan(t0 * _d, 4 * _d), norms.AsSpan(t0, 4), d);
                    for (var t = t0; t < Math.Min(t0 + 4, _trials); t++)
                    {
                        d[t - t0].CopyTo(_distances.AsSpan(t * stride + b * L, L));
                        gains[t] += Vector.Sum(Vector.Max(current - d[t - t0], Vector<float>.Zero));
                    }
                }
            }
        }

        /// <summary>
        /// Distances from the frames of block b to four points at once: each frame vector is loaded once for four
        /// products, and eight independent accumulators (four points x even/odd features) keep the FMA units busy.
        /// </summary>
        private void Distances4(int b, ReadOnlySpan<Vector<float>> points, ReadOnlySpan<float> pointNorms, Span<Vector<float>> result)
        {
            var block = MemoryMarshal.Cast<float, Vector<float>>(_lanes.AsSpan(b * _d * L, _d * L));
            var p0 = points[.._d];
            var p1 = points.Slice(_d, _d);
            var p2 = points.Slice(2 * _d, _d);
            var p3 = points.Slice(3 * _d, _d);
            Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
            var j = 0;
            for (; j + 2 <= _d; j += 2)
            {
                var x0 = block[j];
                a0 = Vector.FusedMultiplyAdd(x0, p0[j], a0);
                a1 = Vector.FusedMultiplyAdd(x0, p1[j], a1);
                a2 = Vector.FusedMultiplyAdd(x0, p2[j], a2);
                a3 = Vector.FusedMultiplyAdd(x0, p3[j], a3);
                var x1 = block[j + 1];
                e0 = Vector.FusedMultiplyAdd(x1, p0[j + 1], e0);
                e1 = Vector.FusedMultiplyAdd(x1, p1[j + 1], e1);
                e2 = Vector.FusedMultiplyAdd(x1, p2[j + 1], e2);
                e3 = Vector.FusedMultiplyAdd(x1, p3[j + 1], e3);
            }
            if (j < _d)
            {
                var x0 = block[j];
                a0 = Vector.FusedMultiplyAdd(x0, p0[j], a0);
                a1 = Vector.FusedMultiplyAdd(x0, p1[j], a1);
                a2 = Vector.FusedMultiplyAdd(x0, p2[j], a2);
                a3 = Vector.FusedMultiplyAdd(x0, p3[j], a3);
            }
            var norms = new Vector<float>(_norms.AsSpan(b * L, L));
            result[0] = Vector.Max(norms + new Vector<float>(pointNorms[0]) - (a0 + e0) * 2, Vector<float>.Zero);
            result[1] = Vector.Max(norms + new Vector<float>(pointNorms[1]) - (a1 + e1) * 2, Vector<float>.Zero);
            result[2] = Vector.Max(norms + new Vector<float>(pointNorms[2]) - (a2 + e2) * 2, Vector<float>.Zero);
            result[3] = Vector.Max(norms + new Vector<float>(pointNorms[3]) - (a3 + e3) * 2, Vector<float>.Zero);
        }

        private void Accept(int group, int best, int chosen) => ForBlocks(group, b =>
        {
            var d = _distances.AsSpan(best * _closest.Length + b * L, L);
            for (var l = 0; l < L; l++)
            {
                var i = b * L + l;
                if (d[l] >= _closest[i]) continue;
                _closest[i] = d[l];
                _nearest[i] = chosen;
            }
        });

        private void WriteCheckpoint()
        {
            _state.Rng = _rng.State;
            _state.Set("order", torch.tensor(_order));
            _state.Set("closest", torch.tensor(_closest));
            _state.Set("nearest", torch.tensor(_nearest));
            _save();
        }
    }

    /// <summary>|a - b|^2 with SIMD lanes over the feature dimension.</summary>
    internal static float SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
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
