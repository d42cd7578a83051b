// Frames held for the host k-means kernels: the (N, D) float32 tensor's own memory for row access, plus a copy in
// SIMD lane layout (blocks of L frames, feature-major inside a block) so one vector instruction serves L frames.
// Positions can be reordered (frames grouped by nearest centroid) so a block tends to share one centroid and the
// triangle-inequality tests can skip it whole; per-frame results never depend on the order.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

internal sealed class LaneFrames
{
    public static readonly int L = Vector<float>.Count;

    /// <summary>Blocks per parallel work item (256 x 8 frames): the unit of work and of fixed-order reductions.</summary>
    public const int GroupBlocks = 256;

    private readonly Tensor _x;
    private readonly float[] _lanes;

    /// <param name="x">(N, D) float32, contiguous, on the CPU; must outlive this object.</param>
    public LaneFrames(Tensor x)
    {
        _x = x;
        N = checked((int)x.size(0));
        D = checked((int)x.size(1));
        Blocks = (N + L - 1) / L;
        Groups = (Blocks + GroupBlocks - 1) / GroupBlocks;
        Order = Enumerable.Range(0, N).ToArray();
        _lanes = new float[checked(Blocks * D * L)];
        Norms = new float[Blocks * L];
        FrameNorms = new float[N];
        var zero = new float[D];
        for (var i = 0; i < N; i++) FrameNorms[i] = KMeans.SquaredDistance(Rows.Slice(i * D, D), zero);
        Layout();
    }

    public int N { get; }
    public int D { get; }
    public int Blocks { get; }
    public int Groups { get; }

    /// <summary>The frame at each position (positions past N are zero padding).</summary>
    public int[] Order { get; private set; }

    /// <summary>Squared norm of the frame at each position (0 for padding).</summary>
    public float[] Norms { get; }

    /// <summary>Squared norm of each frame, in frame order.</summary>
    public float[] FrameNorms { get; }

    /// <summary>The frames, row-major, straight from the tensor's memory.</summary>
    public ReadOnlySpan<float> Rows => _x.HostSpan<float>();

    public ReadOnlySpan<float> Row(long frame) => Rows.Slice((int)(frame * D), D);

    public static ParallelOptions Parallelism => new() { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) };

    public (int start, int end) BlocksOf(int group) => (group * GroupBlocks, Math.Min(Blocks, (group + 1) * GroupBlocks));

    /// <summary>Stable order of positions by key (padding excluded), applied to the layout; returns old position per new position.</summary>
    public int[] SortBy(int[] keyPerPosition)
    {
        var keys = new long[N];
        var positions = new int[N];
        for (var p = 0; p < N; p++) (keys[p], positions[p]) = ((long)keyPerPosition[p] * N + p, p); // unique keys: stable
        Array.Sort(keys, positions);
        var order = new int[N];
        for (var p = 0; p < N; p++) order[p] = Order[positions[p]];
        Order = order;
        Layout();
        return positions;
    }

    /// <summary>Restores an order saved from <see cref="Order"/> (a checkpoint).</summary>
    public void SetOrder(int[] order)
    {
        if (order.Length != N || order.Distinct().Count() != N || order.Any(i => i < 0 || i >= N))
            throw new InvalidDataException($"a frame order must be a permutation of {N} frames");
        Order = order;
        Layout();
    }

    private void Layout()
    {
        Array.Clear(_lanes);
        Array.Clear(Norms);
        System.Threading.Tasks.Parallel.For(0, Blocks, Parallelism, b =>
        {
            var rows = Rows;
            for (var l = 0; l < L && b * L + l < N; l++)
            {
                var frame = Order[b * L + l];
                var row = rows.Slice(frame * D, D);
                for (var j = 0; j < D; j++) _lanes[(b * D + j) * L + l] = row[j];
                Norms[b * L + l] = FrameNorms[frame];
            }
        });
    }

    /// <summary>
    /// Squared distances from the L frames of block b to four points (rows of D floats) with their squared norms, by
    /// |x|^2 - 2 x.c + |c|^2: each lane vector is loaded once for four products, and eight independent accumulators
    /// (four points x even/odd features) keep the FMA units busy instead of waiting on one chain.
    /// </summary>
    public void Distances4(int b, ReadOnlySpan<float> p0, ReadOnlySpan<float> p1, ReadOnlySpan<float> p2, ReadOnlySpan<float> p3,
                           ReadOnlySpan<float> pointNorms, Span<Vector<float>> result) =>
        Distances4(_lanes, Norms, b, D, p0, p1, p2, p3, pointNorms, result);

    /// <summary>The same kernel over any buffer in lane layout (blocks of L frames, feature-major) with per-lane squared norms.</summary>
    public static void Distances4(ReadOnlySpan<float> lanes, ReadOnlySpan<float> laneNorms, int b, int D, ReadOnlySpan<float> p0,
                                  ReadOnlySpan<float> p1, ReadOnlySpan<float> p2, ReadOnlySpan<float> p3, ReadOnlySpan<float> pointNorms,
                                  Span<Vector<float>> result)
    {
        var block = MemoryMarshal.Cast<float, Vector<float>>(lanes.Slice(b * D * L, D * L));
        if (p0.Length < D || p1.Length < D || p2.Length < D || p3.Length < D || pointNorms.Length < 4 || result.Length < 4)
            throw new ArgumentException("four points of D features, four norms and four results are needed");
        // Lengths are checked above; the loop reads through refs so the JIT emits no per-element bounds checks.
        ref var x = ref MemoryMarshal.GetReference(block);
        ref var c0 = ref MemoryMarshal.GetReference(p0);
        ref var c1 = ref MemoryMarshal.GetReference(p1);
        ref var c2 = ref MemoryMarshal.GetReference(p2);
        ref var c3 = ref MemoryMarshal.GetReference(p3);
        Vector<float> a0 = Vector<float>.Zero, a1 = a0, a2 = a0, a3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        var j = 0;
        for (; j + 2 <= D; j += 2)
        {
            var x0 = Unsafe.Add(ref x, j);
            a0 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c0, j)), a0);
            a1 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c1, j)), a1);
            a2 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c2, j)), a2);
            a3 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c3, j)), a3);
            var x1 = Unsafe.Add(ref x, j + 1);
            e0 = Vector.FusedMultiplyAdd(x1, new Vector<float>(Unsafe.Add(ref c0, j + 1)), e0);
            e1 = Vector.FusedMultiplyAdd(x1, new Vector<float>(Unsafe.Add(ref c1, j + 1)), e1);
            e2 = Vector.FusedMultiplyAdd(x1, new Vector<float>(Unsafe.Add(ref c2, j + 1)), e2);
            e3 = Vector.FusedMultiplyAdd(x1, new Vector<float>(Unsafe.Add(ref c3, j + 1)), e3);
        }
        if (j < D)
        {
            var x0 = Unsafe.Add(ref x, j);
            a0 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c0, j)), a0);
            a1 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c1, j)), a1);
            a2 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c2, j)), a2);
            a3 = Vector.FusedMultiplyAdd(x0, new Vector<float>(Unsafe.Add(ref c3, j)), a3);
        }
        var norms = new Vector<float>(laneNorms.Slice(b * L, L));
        result[0] = Vector.Max(norms + new Vector<float>(pointNorms[0]) - (a0 + e0) * 2, Vector<float>.Zero);
        result[1] = Vector.Max(norms + new Vector<float>(pointNorms[1]) - (a1 + e1) * 2, Vector<float>.Zero);
        result[2] = Vector.Max(norms + new Vector<float>(pointNorms[2]) - (a2 + e2) * 2, Vector<float>.Zero);
        result[3] = Vector.Max(norms + new Vector<float>(pointNorms[3]) - (a3 + e3) * 2, Vector<float>.Zero);
    }
}
