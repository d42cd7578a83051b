// erfc, the normal p-value and the binomial tail against reference values (Python's math.erfc; binomial
// sums worked by hand), including the far tails where naive formulas underflow or cancel.
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Shared.Tests.Statistics;

public class DistributionTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.1, 0.8875370839817152)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(1.5, 0.033894853524689274)]
    [InlineData(2.0, 0.004677734981047265)]
    [InlineData(2.5, 0.0004069520174449589)]
    [InlineData(2.9, 4.109787809945886e-05)]
    [InlineData(3.0, 2.2090496998585438e-05)]
    [InlineData(3.5, 7.430983723414128e-07)]
    [InlineData(5.0, 1.5374597944280351e-12)]
    [InlineData(8.0, 1.1224297172982928e-29)]
    public void ErfcMatchesPythonToFourteenDigits(double x, double expected)
    {
        Assert.True(Math.Abs(Distributions.Erfc(x) - expected) <= 1e-14 * expected, $"erfc({x}) = {Distributions.Erfc(x):R}, expected {expected:R}");
        Assert.True(Math.Abs(Distributions.Erfc(-x) - (2 - expected)) <= 1e-15, $"erfc(-{x})");
    }

    [Fact]
    public void TwoSidedPValueOfTheFamousThreshold()
    {
        Assert.Equal(0.04999579029644087, Distributions.TwoSidedNormalP(1.96), 14);
        Assert.Equal(0.04999579029644087, Distributions.TwoSidedNormalP(-1.96), 14);
        Assert.Equal(1.0, Distributions.TwoSidedNormalP(0));
    }

    [Fact]
    public void BinomialTailIsExact()
    {
        Assert.Equal(11.0 / 1024, Distributions.BinomialHalfCdf(1, 10), 15);        // (1 + 10) / 2^10
        Assert.Equal(56.0 / 1024, Distributions.BinomialHalfCdf(2, 10), 15);        // (1 + 10 + 45) / 2^10
        Assert.Equal(0.5, Distributions.BinomialHalfCdf(2, 5), 15);                 // symmetric
        Assert.Equal(1.0, Distributions.BinomialHalfCdf(7, 7));
        // Exact sums from Python's fractions: 30 and 2000 coins, and 2^-1000, which a product of halves reaches.
        AssertRelative(0.008062400855123997, Distributions.BinomialHalfCdf(8, 30), 1e-12);
        AssertRelative(4.228544767751963e-06, Distributions.BinomialHalfCdf(900, 2000), 1e-10);
        AssertRelative(9.332636185032189e-302, Distributions.BinomialHalfCdf(0, 1000), 1e-10);
    }

    private static void AssertRelative(double expected, double actual, double tolerance) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * expected, $"{actual:R} differs from {expected:R} by more than {tolerance}");
}
