// Forward values of the binding's discrete and non-differentiable ops, against exact expected results:
// comparisons, logic, rounding, arg-reductions, sorting, counting, encoding, factories and windows.
// Window functions are compared with their closed-form formulas in float64.
using F = Sld.Bench.Torch.torch.nn.functional;

namespace Sld.Bench.Torch.Tests;

public class OpBehaviourTests
{
    private static Tensor Doubles(params double[] v) => torch.tensor(v);

    private static Tensor Longs(params long[] v) => torch.tensor(v);

    private static Tensor Bools(params bool[] v) => torch.tensor(v);

    // ---- comparisons and logic ----

    [Fact]
    public void TensorComparisonsBroadcast()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var b = Doubles(3, 2, 1);
        Assert.Equal([false, true, false, false, false, false], a.eq(b).ToArray<bool>());
        Assert.Equal([true, false, true, true, true, true], a.ne(b).ToArray<bool>());
        Assert.Equal([true, false, false, false, false, false], a.lt(b).ToArray<bool>());
        Assert.Equal([true, true, false, false, false, false], a.le(b).ToArray<bool>());
        Assert.Equal([false, false, true, true, true, true], a.gt(b).ToArray<bool>());
        Assert.Equal([false, true, true, true, true, true], a.ge(b).ToArray<bool>());
        Assert.Equal(new long[] { 2, 3 }, a.eq(b).shape);
        Assert.Equal(ScalarType.Bool, a.eq(b).dtype);
    }

    [Fact]
    public void ScalarComparisons()
    {
        using var scope = torch.NewDisposeScope();
        var a = Longs(1, 2, 3);
        Assert.Equal([false, true, false], a.eq(2).ToArray<bool>());
        Assert.Equal([true, false, true], a.ne(2).ToArray<bool>());
        Assert.Equal([true, false, false], a.lt(2).ToArray<bool>());
        Assert.Equal([true, true, false], a.le(2).ToArray<bool>());
        Assert.Equal([false, false, true], a.gt(2).ToArray<bool>());
        Assert.Equal([false, true, true], a.ge(2).ToArray<bool>());
        Assert.Equal([false, false, true], Doubles(2.4, 2.5, 2.6).gt(2.5).ToArray<bool>());
    }

    [Fact]
    public void LogicalOpsAndOperators()
    {
        using var scope = torch.NewDisposeScope();
        var p = Bools(true, true, false, false);
        var q = Bools(true, false, true, false);
        Assert.Equal([true, false, false, false], p.logical_and(q).ToArray<bool>());
        Assert.Equal([true, true, true, false], p.logical_or(q).ToArray<bool>());
        Assert.Equal([false, false, true, true], p.logical_not().ToArray<bool>());
        Assert.Equal([true, false, false, false], (p & q).ToArray<bool>());
        Assert.Equal([true, true, true, false], (p | q).ToArray<bool>());
        Assert.Equal([false, false, true, true], (!p).ToArray<bool>());
        // Non-bool inputs count non-zero as true.
        Assert.Equal([false, true, false], Doubles(0, 2, -1).logical_and(Doubles(3, 1, 0)).ToArray<bool>());
        Assert.False(p.all().item<bool>());
        Assert.True(p.any().item<bool>());
        Assert.True(Bools(true, true).all().item<bool>());
        Assert.False(Bools(false, false).any().item<bool>());
    }

    [Fact]
    public void IsNanAndIsFinite()
    {
        using var scope = torch.NewDisposeScope();
        var x = Doubles(1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0);
        Assert.Equal([false, true, false, false, false], x.isnan().ToArray<bool>());
        Assert.Equal([true, false, false, false, true], x.isfinite().ToArray<bool>());
    }

    // ---- rounding and integer division ----

    [Fact]
    public void FloorCeilRoundSign()
    {
        using var scope = torch.NewDisposeScope();
        var x = Doubles(-2.5, -1.5, -0.7, 0, 0.5, 1.5, 2.5, 3.2);
        Assert.Equal([-3, -2, -1, 0, 0, 1, 2, 3], x.floor().ToArray<double>());
        Assert.Equal([-2, -1, -0.0, 0, 1, 2, 3, 4], x.ceil().ToArray<double>());
        // Halves round to the even neighbour, as torch.round does.
        Assert.Equal([-2, -2, -1, 0, 0, 2, 2, 3], x.round().ToArray<double>());
        Assert.Equal([-1, -1, -1, 0, 1, 1, 1, 1], x.sign().ToArray<double>());
        // Gradients of the step functions are zero where defined.
        var leaf = Doubles(0.3, -1.7).requires_grad_();
        (leaf.floor() + leaf.ceil() + leaf.round() + leaf.sign()).sum().backward();
        Assert.Equal([0, 0], leaf.grad!.ToArray<double>());
    }

    [Fact]
    public void FloorDivideAndRemainderFollowPythonSigns()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal([3, -4, -4, -4], Doubles(7, -7, 7.5, -7.5).floor_divide(Doubles(2, 2, -2, 2)).ToArray<double>());
        Assert.Equal([3L, -4, -4], Longs(7, -7, 7).floor_divide(Longs(2, 2, -2)).ToArray<long>());
        Assert.Equal([1L, 2, -2], Longs(7, -7, 7).remainder(Longs(3, 3, -3)).ToArray<long>());
        Assert.Equal([1L, 2, 0], (Longs(7, -7, 9) % 3).ToArray<long>());
        Assert.Equal([1.5, 0.5], Doubles(5.5, -1.5).remainder(2).ToArray<double>());
    }

    // ---- arg-reductions, top-k, sorting ----

    [Fact]
    public void ArgmaxArgminPickTheFirstOfTies()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 3, 3, 0, 5, -1, 5, -1 }, 2, 4);
        Assert.Equal([1L, 0], x.argmax(1).ToArray<long>());
        Assert.Equal([3L, 1], x.argmin(1).ToArray<long>());
        Assert.Equal([1L, 0, 1, 0], x.argmax(0).ToArray<long>());
        Assert.Equal(new long[] { 2, 1 }, x.argmax(1, keepdim: true).shape);
        var (values, indices) = x.max(1);
        Assert.Equal([3.0, 5], values.ToArray<double>());
        Assert.Equal([1L, 0], indices.ToArray<long>());
    }

    [Fact]
    public void TopkLargestAndSmallest()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 4, 9, 1, 7, 2, 8, 3, 0 }, 2, 4);
        var (v, i) = x.topk(2);
        Assert.Equal([9.0, 7, 8, 3], v.ToArray<double>());
        Assert.Equal([1L, 3, 1, 2], i.ToArray<long>());
        var (sv, si) = x.topk(3, largest: false);
        Assert.Equal([1.0, 4, 7, 0, 2, 3], sv.ToArray<double>());
        Assert.Equal([2L, 0, 3, 3, 0, 2], si.ToArray<long>());
        var (cv, _) = x.topk(1, dim: 0);
        Assert.Equal([4.0, 9, 3, 7], cv.ToArray<double>());
    }

    [Fact]
    public void StableSortKeepsTheOrderOfEqualKeys()
    {
        using var scope = torch.NewDisposeScope();
        // Enough equal keys that an unstable sort would be free to reorder them.
        var keys = new long[64];
        for (var k = 0; k < keys.Length; k++) keys[k] = (k * 7) % 3;
        var x = Longs(keys);
        var expectedAscending = Enumerable.Range(0, 64).OrderBy(k => keys[k]).Select(k => (long)k).ToArray();
        var expectedDescending = Enumerable.Range(0, 64).OrderByDescending(k => keys[k]).Select(k => (long)k).ToArray();
        var (values, indices) = x.sort(stable: true);
        Assert.Equal(keys.Order().ToArray(), values.ToArray<long>());
        Assert.Equal(expectedAscending, indices.ToArray<long>());
        Assert.Equal(expectedDescending, x.sort(descending: true, stable: true).indices.ToArray<long>());
        Assert.Equal(expectedAscending, x.argsort(stable: true).ToArray<long>());
        Assert.Equal(expectedDescending, x.argsort(descending: true, stable: true).ToArray<long>());
    }

    [Fact]
    public void SortAlongDim0()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 3, 1, 2, 1, 5, 0 }, 3, 2);
        var (values, indices) = x.sort(0);
        Assert.Equal([2.0, 0, 3, 1, 5, 1], values.ToArray<double>());
        Assert.Equal([1L, 2, 0, 0, 2, 1], indices.ToArray<long>());
    }

    // ---- selection and counting ----

    [Fact]
    public void NonzeroListsCoordinates()
    {
        using var scope = torch.NewDisposeScope();
        var nz = torch.tensor(new double[] { 0, 1, 0, 2, 0, 3 }, 2, 3).nonzero();
        Assert.Equal(new long[] { 3, 2 }, nz.shape);
        Assert.Equal([0L, 1, 1, 0, 1, 2], nz.ToArray<long>());
        Assert.Equal(new long[] { 0, 1 }, torch.zeros([4]).nonzero().shape);
    }

    [Fact]
    public void UniqueConsecutiveCollapsesRuns()
    {
        using var scope = torch.NewDisposeScope();
        var (values, counts) = Longs(1, 1, 2, 2, 2, 3, 1, 1).unique_consecutive();
        Assert.Equal([1L, 2, 3, 1], values.ToArray<long>());
        Assert.Equal([2L, 3, 1, 2], counts.ToArray<long>());
    }

    [Fact]
    public void BincountWithMinlengthAndWeights()
    {
        using var scope = torch.NewDisposeScope();
        var x = Longs(0, 1, 1, 3);
        Assert.Equal([1L, 2, 0, 1], x.bincount().ToArray<long>());
        Assert.Equal([1L, 2, 0, 1, 0, 0], x.bincount(minlength: 6).ToArray<long>());
        Assert.Equal([0.5, 3, 0, 0.25], x.bincount(Doubles(0.5, 1, 2, 0.25)).ToArray<double>());
    }

    [Fact]
    public void OneHotWithGivenAndInferredClassCount()
    {
        using var scope = torch.NewDisposeScope();
        var x = Longs(0, 2, 1);
        var given = F.one_hot(x, 4);
        Assert.Equal(new long[] { 3, 4 }, given.shape);
        Assert.Equal(ScalarType.Int64, given.dtype);
        Assert.Equal([1L, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0], given.ToArray<long>());
        Assert.Equal(new long[] { 3, 3 }, F.one_hot(x).shape);
    }

    [Fact]
    public void EmbeddingRejectsNonIntegerIndices()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => F.embedding(Doubles(0, 1), torch.ones([3, 2])));
        Assert.Equal("embedding", e.Op);
        Assert.Contains("'indices'", e.NativeMessage);
        Assert.Contains("Long, Int", e.NativeMessage);
    }

    [Fact]
    public void CtcLossWithZeroInfinityZeroesImpossibleAlignments()
    {
        using var scope = torch.NewDisposeScope();
        // Three labels cannot be emitted in two frames: the loss is infinite unless zero_infinity is set.
        var logProbs = torch.zeros([2, 1, 4], ScalarType.Float64).log_softmax(2).detach().requires_grad_();
        var targets = torch.tensor(new long[] { 1, 2, 3 }, 1, 3);
        var inputLengths = Longs(2);
        var targetLengths = Longs(3);
        var inf = F.ctc_loss(logProbs, targets, inputLengths, targetLengths, reduction: Reduction.Sum);
        Assert.True(double.IsPositiveInfinity(inf.item<double>()));
        var zeroed = F.ctc_loss(logProbs, targets, inputLengths, targetLengths, reduction: Reduction.Sum, zero_infinity: true);
        Assert.Equal(0.0, zeroed.item<double>());
        zeroed.backward();
        Assert.All(logProbs.grad!.ToArray<double>(), g => Assert.Equal(0.0, g));
    }

    // ---- factories ----

    [Fact]
    public void ArangeLinspaceEye()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(5);
        Assert.Equal(ScalarType.Int64, a.dtype);
        Assert.Equal([0L, 1, 2, 3, 4], a.ToArray<long>());
        Assert.Equal([1.0, 1.25, 1.5, 1.75], torch.arange(1, 2, 0.25, ScalarType.Float64).ToArray<double>());
        Assert.Equal([5L, 3, 1], torch.arange(5, 0, -2).ToArray<long>());
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1], torch.linspace(0, 1, 5, ScalarType.Float64).ToArray<double>());
        Assert.Equal([2.0], torch.linspace(2, 3, 1, ScalarType.Float64).ToArray<double>());
        Assert.Equal([1f, 0, 0, 0, 1, 0, 0, 0, 1], torch.eye(3).ToArray<float>());
    }

    [Fact]
    public void FullZerosOnesCarryShapeDtypeAndRequiresGrad()
    {
        using var scope = torch.NewDisposeScope();
        var full = torch.full([2, 3], 7.5, ScalarType.Float64);
        Assert.Equal(new long[] { 2, 3 }, full.shape);
        Assert.All(full.ToArray<double>(), v => Assert.Equal(7.5, v));
        Assert.Equal([0, 0], torch.zeros([2], ScalarType.Int32).ToArray<int>());
        Assert.Equal([1L, 1, 1], torch.ones([3], ScalarType.Int64).ToArray<long>());
        Assert.True(torch.zeros([2], requires_grad: true).requires_grad);
        Assert.False(torch.ones([2]).requires_grad);
        Assert.Equal(0L, torch.scalar_tensor(3).dim());
        Assert.Equal(3.0f, torch.scalar_tensor(3).item<float>());
        Assert.Equal(new long[] { 2, 3 }, torch.zeros_like(full).shape);
        Assert.Equal(ScalarType.Float64, torch.ones_like(full).dtype);
        Assert.Equal(-1.0, torch.full_like(full, -1).ToArray<double>()[5]);
    }

    // ---- windows ----

    [Theory]
    [InlineData(8, true)]
    [InlineData(8, false)]
    [InlineData(5, true)]
    [InlineData(5, false)]
    public void HannWindowMatchesClosedForm(int n, bool periodic)
    {
        using var scope = torch.NewDisposeScope();
        // w[k] = 0.5 - 0.5 cos(2 pi k / N), N = n for a periodic window and n - 1 for a symmetric one.
        var denominator = periodic ? n : n - 1;
        var expected = Enumerable.Range(0, n).Select(k => 0.5 - 0.5 * Math.Cos(2 * Math.PI * k / denominator)).ToArray();
        var actual = torch.hann_window(n, periodic, ScalarType.Float64).ToArray<double>();
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Theory]
    [InlineData(8, true, 0.54, 0.46)]
    [InlineData(7, false, 0.54, 0.46)]
    [InlineData(6, true, 0.5, 0.5)]
    public void HammingWindowMatchesClosedForm(int n, bool periodic, double alpha, double beta)
    {
        using var scope = torch.NewDisposeScope();
        // w[k] = alpha - beta cos(2 pi k / N), N as for the Hann window.
        var denominator = periodic ? n : n - 1;
        var expected = Enumerable.Range(0, n).Select(k => alpha - beta * Math.Cos(2 * Math.PI * k / denominator)).ToArray();
        var actual = torch.hamming_window(n, periodic, alpha, beta, ScalarType.Float64).ToArray<double>();
        Assert.Equal(expected, actual, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void FloatWindowsAreFloat32ByDefault()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.hann_window(4);
        Assert.Equal(ScalarType.Float32, w.dtype);
        Assert.Equal([0f, 0.5f, 1f, 0.5f], w.ToArray<float>(), (a, b) => Math.Abs(a - b) < 1e-6f);
    }
}
