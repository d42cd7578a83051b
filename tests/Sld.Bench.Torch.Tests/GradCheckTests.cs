// Gradient checks for the elementwise, linear-algebra and reduction exports (sldt_math_*, sldt_linalg_*,
// sldt_reduce_*) against finite differences. Inputs sit away from kinks (0 for abs, ties for max, bounds for
// clamp) so the function is smooth within eps. Ops whose gradient is zero by definition (floor, round, sign,
// comparisons, floor_divide) have forward-value tests in OpBehaviourTests instead.
using static Sld.Bench.Torch.Tests.GradCheck;

namespace Sld.Bench.Torch.Tests;

public class GradCheckTests
{
    // ---- the checker itself ----

    [Fact]
    public void CheckerReportsAWrongGradientWithOpInputAndElement()
    {
        using var scope = torch.NewDisposeScope();
        // d/dy (y * y) is 2y, but detaching one factor makes autograd report y; input 0 is handled right.
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            Verify("half-detached square", xs => xs[0].sum() + xs[1].detach().mul(xs[1]), Rand(1, 3), Rand(2, 2, 2)));
        Assert.StartsWith("half-detached square: gradient of input 1 (shape [2, 2])", e.Message);
        Assert.Contains("worst at element", e.Message);
    }

    [Fact]
    public void CheckerRejectsAnInputTheOutputIgnores()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Verify("ignores input 1", xs => xs[0].exp(), Rand(1, 3), Rand(2, 3)));
        Assert.Contains("numeric gradient of input 1 is zero everywhere", e.Message);
    }

    // ---- unary, and tensor-scalar (one input each) ----

    private sealed record Unary(Func<Tensor, Tensor> Op, double Lo, double Hi, bool RandomSign = false);

    private static readonly Dictionary<string, Unary> UnaryOps = new()
    {
        ["neg"] = new(x => x.neg(), -2, 2),
        ["operator -x"] = new(x => -x, -2, 2),
        ["abs"] = new(x => x.abs(), 0.1, 2, RandomSign: true),
        ["exp"] = new(x => x.exp(), -2, 2),
        ["log"] = new(x => x.log(), 0.2, 3),
        ["log10"] = new(x => x.log10(), 0.2, 3),
        ["log1p"] = new(x => x.log1p(), -0.5, 2),
        ["expm1"] = new(x => x.expm1(), -2, 2),
        ["sqrt"] = new(x => x.sqrt(), 0.2, 3),
        ["rsqrt"] = new(x => x.rsqrt(), 0.2, 3),
        ["square"] = new(x => x.square(), -2, 2),
        ["reciprocal"] = new(x => x.reciprocal(), 0.3, 2, RandomSign: true),
        ["sin"] = new(x => x.sin(), -3, 3),
        ["cos"] = new(x => x.cos(), -3, 3),
        ["tanh"] = new(x => x.tanh(), -2, 2),
        ["sigmoid"] = new(x => x.sigmoid(), -3, 3),
        ["erf"] = new(x => x.erf(), -2, 2),
        ["add_scalar"] = new(x => x.add(1.5), -2, 2),
        ["sub_scalar"] = new(x => x - 0.25, -2, 2),
        ["mul_scalar"] = new(x => x.mul(-2.5), -2, 2),
        ["div_scalar"] = new(x => x.div(4), -2, 2),
        ["rsub_scalar"] = new(x => 1 - x, -2, 2),
        ["operator scalar / x"] = new(x => 2.0 / x, 0.3, 2, RandomSign: true),
        ["pow_scalar 2.5"] = new(x => x.pow(2.5), 0.2, 2),
        ["pow_scalar -1.5"] = new(x => x.pow(-1.5), 0.2, 2),
        ["pow_scalar 3"] = new(x => x.pow(3), -2, 2),
        ["remainder_scalar"] = new(x => x.remainder(0.7), -2, 2),
        ["clamp both"] = new(x => x.clamp(-0.5, 0.5), -2, 2),
        ["clamp_min"] = new(x => x.clamp_min(0.3), -2, 2),
        ["clamp_max"] = new(x => x.clamp_max(-0.3), -2, 2),
    };

    public static TheoryData<string> UnaryNames => new(UnaryOps.Keys);

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void UnaryOpGradientMatchesFiniteDifferences(string name)
    {
        var spec = UnaryOps[name];
        using var scope = torch.NewDisposeScope();
        var x = spec.RandomSign ? AwayFromZero(name.Length, spec.Lo, spec.Hi, 3, 4) : Uniform(name.Length, spec.Lo, spec.Hi, 3, 4);
        Verify(name, xs => spec.Op(xs[0]), x);
    }

    // ---- binary, tensor-tensor, with broadcasting ----

    [Fact]
    public void AddWithAlphaBroadcasts()
    {
        using var scope = torch.NewDisposeScope();
        Verify("add", xs => xs[0].add(xs[1], 0.5), Rand(1, 2, 3), Rand(2, 3));
        Verify("operator +", xs => xs[0] + xs[1], Rand(3, 2, 1), Rand(4, 1, 3));
    }

    [Fact]
    public void SubWithAlphaBroadcasts()
    {
        using var scope = torch.NewDisposeScope();
        Verify("sub", xs => xs[0].sub(xs[1], 2), Rand(1, 2, 1, 3), Rand(2, 4, 1));
        Verify("operator -", xs => xs[0] - xs[1], Rand(3, 3), Rand(4, 2, 3));
    }

    [Fact]
    public void MulBroadcasts()
    {
        using var scope = torch.NewDisposeScope();
        Verify("mul", xs => xs[0].mul(xs[1]), Rand(1, 3, 1), Rand(2, 1, 4));
        Verify("operator *", xs => xs[0] * xs[1], Rand(3, 2, 3), Rand(4, 3));
    }

    [Fact]
    public void DivBroadcasts()
    {
        using var scope = torch.NewDisposeScope();
        Verify("div", xs => xs[0].div(xs[1]), Rand(1, 2, 3), AwayFromZero(2, 0.5, 2, 3));
        Verify("operator /", xs => xs[0] / xs[1], Rand(3, 3, 1), AwayFromZero(4, 0.5, 2, 1, 2));
    }

    [Fact]
    public void PowOfTensors()
    {
        using var scope = torch.NewDisposeScope();
        // Positive bases: d/db a^b = a^b log a needs a > 0.
        Verify("pow", xs => xs[0].pow(xs[1]), Uniform(1, 0.3, 2, 2, 3), Uniform(2, -2, 2, 3));
    }

    [Fact]
    public void MaximumAndMinimumAwayFromTies()
    {
        using var scope = torch.NewDisposeScope();
        // Independent uniform draws: the closest pair is far wider than eps, so no element sits on a tie.
        Verify("maximum", xs => xs[0].maximum(xs[1]), Rand(1, 3, 4), Rand(2, 4));
        Verify("minimum", xs => xs[0].minimum(xs[1]), Rand(3, 3, 4), Rand(4, 4));
    }

    [Fact]
    public void Atan2()
    {
        using var scope = torch.NewDisposeScope();
        Verify("atan2", xs => xs[0].atan2(xs[1]), AwayFromZero(1, 0.2, 2, 2, 3), AwayFromZero(2, 0.2, 2, 2, 3));
    }

    [Fact]
    public void LerpWithScalarWeight()
    {
        using var scope = torch.NewDisposeScope();
        Verify("lerp", xs => xs[0].lerp(xs[1], 0.3), Rand(1, 2, 3), Rand(2, 2, 3));
    }

    [Fact]
    public void RemainderOfTensors()
    {
        using var scope = torch.NewDisposeScope();
        // d/db (a mod b) = -floor(a / b): a sits in (0.1, 3) and b in (0.5, 1.5), away from the jumps.
        Verify("remainder", xs => xs[0].remainder(xs[1]), Uniform(1, 0.1, 3, 2, 3), Uniform(2, 0.5, 1.5, 2, 3));
    }

    [Fact]
    public void WhereRoutesGradientsByCondition()
    {
        using var scope = torch.NewDisposeScope();
        var cond = Bools([true, false, false, true, true, false], 2, 3);
        Verify("where", xs => torch.where(cond, xs[0], xs[1]), Rand(1, 2, 3), Rand(2, 3));
        Verify("where_scalar", xs => torch.where(cond, xs[0], 1.5), Rand(3, 2, 3));
    }

    // ---- linear algebra ----

    [Fact]
    public void MatmulAllRankCombinations()
    {
        using var scope = torch.NewDisposeScope();
        Verify("matmul 1d @ 1d", xs => xs[0].matmul(xs[1]), Rand(1, 4), Rand(2, 4));
        Verify("matmul 2d @ 1d", xs => xs[0].matmul(xs[1]), Rand(3, 3, 4), Rand(4, 4));
        Verify("matmul 1d @ 2d", xs => xs[0].matmul(xs[1]), Rand(5, 3), Rand(6, 3, 2));
        Verify("matmul batched broadcast", xs => xs[0].matmul(xs[1]), Rand(7, 2, 3, 4), Rand(8, 4, 2));
    }

    [Fact]
    public void MmBmmOuter()
    {
        using var scope = torch.NewDisposeScope();
        Verify("mm", xs => xs[0].mm(xs[1]), Rand(1, 2, 3), Rand(2, 3, 4));
        Verify("bmm", xs => xs[0].bmm(xs[1]), Rand(3, 2, 2, 3), Rand(4, 2, 3, 2));
        Verify("outer", xs => xs[0].outer(xs[1]), Rand(5, 3), Rand(6, 4));
    }

    [Fact]
    public void AddmmWithBetaAlpha()
    {
        using var scope = torch.NewDisposeScope();
        Verify("addmm", xs => torch.addmm(xs[0], xs[1], xs[2], beta: 0.5, alpha: 2), Rand(1, 4), Rand(2, 3, 2), Rand(3, 2, 4));
    }

    [Fact]
    public void CdistEuclideanAndManhattan()
    {
        using var scope = torch.NewDisposeScope();
        Verify("cdist p=2", xs => torch.cdist(xs[0], xs[1]), Rand(1, 3, 2), Rand(2, 4, 2));
        Verify("cdist p=1", xs => torch.cdist(xs[0], xs[1], 1), Rand(3, 2, 3, 2), Rand(4, 2, 4, 2));
    }

    // ---- reductions ----

    [Fact]
    public void SumAndMean()
    {
        using var scope = torch.NewDisposeScope();
        Verify("sum all", xs => xs[0].sum(), Rand(1, 2, 3));
        Verify("sum dims keepdim", xs => xs[0].sum([0, 2], keepdim: true), Rand(2, 2, 3, 4));
        Verify("mean all", xs => xs[0].mean(), Rand(3, 2, 3));
        Verify("mean dim", xs => xs[0].mean(-1), Rand(4, 2, 3, 4));
    }

    [Fact]
    public void VarAndStd()
    {
        using var scope = torch.NewDisposeScope();
        Verify("var all unbiased", xs => xs[0].var(), Rand(1, 3, 4));
        Verify("var dim biased keepdim", xs => xs[0].var(1, unbiased: false, keepdim: true), Rand(2, 3, 4));
        Verify("std all biased", xs => xs[0].std(unbiased: false), Rand(3, 3, 4));
        Verify("std dim", xs => xs[0].std(0), Rand(4, 3, 4));
    }

    [Fact]
    public void ProdAlongDim()
    {
        using var scope = torch.NewDisposeScope();
        Verify("prod", xs => xs[0].prod(1), AwayFromZero(1, 0.5, 1.5, 3, 4));
        Verify("prod keepdim", xs => xs[0].prod(0, keepdim: true), AwayFromZero(2, 0.5, 1.5, 3, 4));
    }

    [Fact]
    public void NormForSeveralP()
    {
        using var scope = torch.NewDisposeScope();
        Verify("norm p=2 all", xs => xs[0].norm(), Rand(1, 3, 4));
        Verify("norm p=1 dim", xs => xs[0].norm(1, 1), AwayFromZero(2, 0.1, 1, 3, 4));
        Verify("norm p=3 dim keepdim", xs => xs[0].norm(3, 0, keepdim: true), AwayFromZero(3, 0.1, 1, 3, 4));
    }

    [Fact]
    public void Logsumexp()
    {
        using var scope = torch.NewDisposeScope();
        Verify("logsumexp", xs => xs[0].logsumexp(1), Uniform(1, -3, 3, 3, 4));
        Verify("logsumexp keepdim", xs => xs[0].logsumexp(0, keepdim: true), Uniform(2, -3, 3, 3, 4));
    }

    [Fact]
    public void MaxAndMinValues()
    {
        using var scope = torch.NewDisposeScope();
        // Distinct random values, so each reduction has a unique winner and the gradient is one-hot.
        Verify("max all", xs => xs[0].max(), Rand(1, 3, 4));
        Verify("min all", xs => xs[0].min(), Rand(2, 3, 4));
        Verify("max dim values", xs => xs[0].max(1).values, Rand(3, 3, 4));
        Verify("min dim values keepdim", xs => xs[0].min(0, keepdim: true).values, Rand(4, 3, 4));
    }

    [Fact]
    public void TopkAndSortValues()
    {
        using var scope = torch.NewDisposeScope();
        Verify("topk values", xs => xs[0].topk(2).values, Rand(1, 3, 5));
        Verify("topk smallest dim 0", xs => xs[0].topk(2, dim: 0, largest: false).values, Rand(2, 4, 3));
        Verify("sort values descending", xs => xs[0].sort(descending: true).values, Rand(3, 3, 5));
    }

    [Fact]
    public void Cumsum()
    {
        using var scope = torch.NewDisposeScope();
        Verify("cumsum", xs => xs[0].cumsum(1), Rand(1, 3, 4));
        Verify("cumsum dim 0", xs => xs[0].cumsum(0), Rand(2, 3, 4));
    }
}
