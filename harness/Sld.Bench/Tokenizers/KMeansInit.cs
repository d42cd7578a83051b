// k-means initialisation. Greedy k-means++ as scikit-learn's _kmeans_plusplus: the first centroid is a
// uniform frame; each next one is the best (lowest resulting potential) of a few candidates drawn with
// probability proportional to the squared distance to the nearest chosen centroid. The step runs on the
// host (SIMD, parallel over fixed row blocks, so results do not depend on scheduling) and skips a frame
// whenever the triangle inequality proves a candidate cannot be nearer to it than its current centroid:
// |c - mu| >= 2 |x - mu| implies |x - c| >= |x - mu|. The chosen frames, each frame's nearest centroid and
// distance, and the random state are checkpointed, so an interrupted init resumes exactly.
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
        private readonly int _n, _d, _k, _trials, _groups;
        private readonly SeededRandom _rng;
        private readonly KMeansCheckpoint _state;
        private readonly FitContext _ctx;
        private readonly Action _save;
        private readonly float[] _rows; // the frames, row-major (N, D)
        private readonly float[] _lanes; // the frames lane-transposed: (N / L, D, L), padded with zero frames
        private readonly float[] _norms; // squared norm of each frame, in the lane layout
        private readonly float[] _distances; // (trials, N) the last step's candidate distances, +inf where a block was skipped
        private readonly float[] _closest; // squared distance of each frame to its nearest chosen centroid (0 for padding)
        private readonly int[] _nearest; // index (in choice order) of that centroid
        private readonly float[] _centers; // chosen centroids, row-major
        private readonly double[] _cumulative;

        public PlusPlus(Tensor x, int k, int trials, SeededRandom rng, KMeansCheckpoint state, FitContext ctx, Action save)
        {
            (_k, _trials, _rng, _state, _ctx, _save) = (k, trials, rng, state, ctx, save);
            _n = checked((int)x.size(0));
            _d = checked((int)x.size(1));
            _rows = x.ToArray<float>();
            var blocks = (_n + L - 1) / L;
            _groups = (blocks + GroupBlocks - 1) / GroupBlocks;
            _lanes = new float[blocks * _d * L];
            for (var i = 0; i < _n; i++)
                for (var j = 0; j < _d; j++)
                    _lanes[(i / L * _d + j) * L + i % L] = _rows[i * _d + j];
            _closest = new float[blocks * L];
            _nearest = new int[blocks * L];
            _norms = new float[blocks * L];
            for (var i = 0; i < _n; i++) _norms[i] = SquaredDistance(Row(i), new float[_d]);
            _distances = new float[trials * blocks * L];
            _centers = new float[k * _d];
            _cumulative = new double[_n];
        }

        /// <summary>Blocks of L frames per parallel work item: 256 x 8 frames.</summary>
        private const int GroupBlocks = 256;

        private Span<float> Row(long i) => _rows.AsSpan((int)(i * _d), _d);

        public void Run()
        {
            var broadcast = new Vector<float>[_trials * _d];
            if (_state.ChosenIds.Count == 0)
            {
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
                _state.Get("closest").CopyTo<float>(_closest);
                _state.Get("nearest").CopyTo<int>(_nearest);
                for (var j = 0; j < _state.ChosenIds.Count; j++) Row(_state.ChosenIds[j]).CopyTo(_centers.AsSpan(j * _d));
            }
            var candidates = new long[_trials];
            var candidateNorms = new float[_trials];
            var gains = new double[_groups * _trials];
            while (_state.ChosenIds.Count < _k)
            {
                var chosen = _state.ChosenIds.Count;
                var potential = Cumulate();
                for (var t = 0; t < _trials; t++)
                {
                    // numpy's searchsorted (side="left"): the first running sum that reaches the drawn value.
                    var at = Array.BinarySearch(_cumulative, _rng.NextDouble() * potential);
                    candidates[t] = Math.Min(at >= 0 ? FirstEqual(at) : ~at, _n - 1);
                    Broadcast(Row(candidates[t]), broadcast.AsSpan(t * _d, _d));
                    candidateNorms[t] = _norms[candidates[t]];
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

        private long FirstEqual(int at)
        {
            while (at > 0 && _cumulative[at - 1] == _cumulative[at]) at--;
            return at;
        }

        private static ParallelOptions Options => new() { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) };

        private void ForBlocks(int group, Action<int> body)
        {
            var end = Math.Min(_closest.Length / L, (group + 1) * GroupBlocks);
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

        /// <summary>Running sums of the nearest-centroid distances (in float64, as numpy's stable_cumsum); returns the total.</summary>
        private double Cumulate()
        {
            double sum = 0;
            for (var i = 0; i < _n; i++) _cumulative[i] = sum += _closest[i];
            return sum;
        }

        /// <summary>(trials, chosen): a quarter of the squared distance between each candidate and each chosen centroid.</summary>
        private float[] CandidateToCenterDistances(long[] candidates, int chosen)
        {
            var result = new float[_trials * chosen];
            for (var t = 0; t < _trials; t++)
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
            var end = Math.Min(_closest.Length / L, (group + 1) * GroupBlocks);
            for (var b = group * GroupBlocks; b < end; b++)
            {
                var current = new Vector<float>(_closest.AsSpan(b * L, L));
                for (var t = 0; t < _trials; t++)
                {
                    var into = _distances.AsSpan(t * stride + b * L, L);
                    if (!AnyCloser(b, t, bounds, chosen))
                    {
                        skipped.CopyTo(into);
                        continue;
                    }
                    var d = Distances(b, broadcast.AsSpan(t * _d, _d), norms[t]);
                    d.CopyTo(into);
                    gains[t] += Vector.Sum(Vector.Max(current - d, Vector<float>.Zero));
                }
            }
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
