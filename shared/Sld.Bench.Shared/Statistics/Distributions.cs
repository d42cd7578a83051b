// The two distributions the significance tests need, computed to near machine precision without a numerics
// package: the standard normal tail through erfc, and the exact binomial tail of the sign test in log space
// so that thousands of speakers do not underflow.
namespace Sld.Bench.Shared.Statistics;

public static class Distributions
{
    /// <summary>
    /// The complementary error function, to about 1e-15 relative. Below 1 it is 1 - erf with erf from its
    /// all-positive series (2/sqrt(pi)) e^(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)); from 1 on, where 1 - erf
    /// would cancel, the continued fraction e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
    /// 200 levels evaluated backwards.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2 - Erfc(-x);
        if (x < 1)
        {
            double term = x, sum = x, twoX2 = 2 * x * x;
            for (var n = 1; n < 200 && term > sum * 1e-17; n++)
            {
                term *= twoX2 / (2 * n + 1);
                sum += term;
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
        }
        var f = x;
        for (var k = 200; k >= 1; k--) f = x + k / 2.0 / f;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>Two-sided p-value of a standard normal statistic, P(|Z| &gt;= |z|) = erfc(|z| / sqrt 2).</summary>
    public static double TwoSidedNormalP(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>P(X &lt;= k) for X ~ Binomial(n, 1/2), summed exactly in log space.</summary>
    public static double BinomialHalfCdf(int k, int n)
    {
        if (n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(k), "k and n must not be negative");
        if (k >= n) return 1;
        var logTerm = -n * Math.Log(2);          // log C(n, 0) / 2^n
        var logSum = logTerm;
        for (var i = 1; i <= k; i++)
        {
            logTerm += Math.Log(n - i + 1) - Math.Log(i);
            logSum = Math.Max(logSum, logTerm) + Math.Log(1 + Math.Exp(-Math.Abs(logSum - logTerm)));
        }
        return Math.Min(1, Math.Exp(logSum));
    }
}
