// Random ops under manual_seed: reproducibility, ranges, permutations, sampling frequencies, and dropout's
// mask and gradient. libtorch's CPU generator is process-wide, so these tests share a collection that xunit
// runs on its own, after the parallel tests: nothing else can draw numbers between a seed and its use.
using F = Sld.Bench.Torch.torch.nn.functional;

namespace Sld.Bench.Torch.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "libtorch global generator";
}

[Collection(GlobalGeneratorCollection.Name)]
public class RandomOpTests
{
    [Fact]
    public void ManualSeedReproducesRandnRandAndInPlaceSamplers()
    {
        using var scope = torch.NewDisposeScope();
        double[] Draw(ulong seed)
        {
            torch.manual_seed(seed);
            var a = torch.randn([5], ScalarType.Float64).ToArray<double>();
            var b = torch.rand([5], ScalarType.Float64).ToArray<double>();
            var c = torch.empty([5], ScalarType.Float64).normal_(3, 2).ToArray<double>();
            var d = torch.empty([5], ScalarType.Float64).uniform_(-1, 1).ToArray<double>();
            return [.. a, .. b, .. c, .. d];
        }
        var first = Draw(1234);
        Assert.Equal(first, Draw(1234));
        Assert.NotEqual(first, Draw(4321));
        Assert.All(first.Skip(5).Take(5), v => Assert.InRange(v, 0, 1));
        Assert.All(first.Skip(15), v => Assert.InRange(v, -1, 1));
    }

    [Fact]
    public void RandintStaysInRangeAndHitsEveryValue()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var x = torch.randint(3, 7, [2000]);
        Assert.Equal(ScalarType.Int64, x.dtype);
        var values = x.ToArray<long>();
        Assert.All(values, v => Assert.InRange(v, 3, 6));
        Assert.Equal([3L, 4, 5, 6], values.Distinct().Order());
        Assert.Equal(ScalarType.Int32, torch.randint(0, 2, [3], ScalarType.Int32).dtype);
    }

    [Fact]
    public void RandpermIsAPermutation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var p = torch.randperm(50).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 50).Select(v => (long)v), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(v => (long)v), p);
    }

    [Fact]
    public void MultinomialIsSeededAndFollowsTheProbabilities()
    {
        using var scope = torch.NewDisposeScope();
        var probs = torch.tensor(new double[] { 0.1, 0.2, 0.3, 0.4 });
        torch.manual_seed(5);
        var a = torch.multinomial(probs, 20000, replacement: true).ToArray<long>();
        torch.manual_seed(5);
        var b = torch.multinomial(probs, 20000, replacement: true).ToArray<long>();
        Assert.Equal(a, b);
        // Standard error of each frequency is at most sqrt(0.25 / 20000) = 0.0035; allow about four.
        double[] expected = [0.1, 0.2, 0.3, 0.4];
        for (var c = 0; c < 4; c++)
            Assert.InRange(a.Count(v => v == c) / 20000.0, expected[c] - 0.015, expected[c] + 0.015);
    }

    [Fact]
    public void MultinomialWithoutReplacementAndZeroProbability()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        var all = torch.multinomial(torch.tensor(new[] { 0.1f, 0.2f, 0.3f, 0.4f }), 4).ToArray<long>();
        Assert.Equal([0L, 1, 2, 3], all.Order());
        // Unnormalised weights are fine; a zero weight is never drawn. Rows sample independently.
        var rows = torch.multinomial(torch.tensor(new[] { 0f, 5f, 5f, 1f, 0f, 0f }, 2, 3), 100, replacement: true);
        Assert.Equal(new long[] { 2, 100 }, rows.shape);
        var samples = rows.ToArray<long>();
        Assert.DoesNotContain(0L, samples.Take(100));
        Assert.All(samples.Skip(100), v => Assert.Equal(0L, v));
    }

    [Fact]
    public void DropoutIsSeededAndScalesKeptElements()
    {
        using var scope = torch.NewDisposeScope();
        const double p = 0.3;
        var ones = torch.ones([10000], ScalarType.Float64);
        torch.manual_seed(99);
        var a = F.dropout(ones, p).ToArray<double>();
        torch.manual_seed(99);
        var b = F.dropout(ones, p).ToArray<double>();
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.True(v == 0 || Math.Abs(v - 1 / (1 - p)) < 1e-12, $"dropout output {v}"));
        Assert.InRange(a.Count(v => v != 0) / 10000.0, 0.68, 0.72);
        Assert.Equal(Enumerable.Repeat(0.0, 5), F.dropout(ones, 1).ToArray<double>().Take(5));
    }

    [Fact]
    public void DropoutGradientIsTheMaskOverKeepProbability()
    {
        using var scope = torch.NewDisposeScope();
        const double p = 0.4;
        var x = GradCheck.AwayFromZero(1, 0.5, 2, 4, 50).requires_grad_();
        var w = GradCheck.Rand(2, 4, 50);
        torch.manual_seed(2024);
        var y = F.dropout(x, p);
        y.mul(w).sum().backward();
        // Re-seeding gives the same mask: dropout of ones is exactly mask / (1 - p).
        torch.manual_seed(2024);
        var scaledMask = F.dropout(torch.ones([4, 50], ScalarType.Float64), p).ToArray<double>();
        var grad = x.grad!.ToArray<double>();
        var wv = w.ToArray<double>();
        var xv = x.ToArray<double>();
        var yv = y.ToArray<double>();
        Assert.Contains(0.0, scaledMask);
        Assert.Contains(1 / (1 - p), scaledMask);
        for (var k = 0; k < grad.Length; k++)
        {
            Assert.Equal(wv[k] * scaledMask[k], grad[k], 12);
            Assert.Equal(xv[k] * scaledMask[k], yv[k], 12);
        }
    }
}
