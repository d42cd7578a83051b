// Gradient checking against central finite differences. A check feeds float64 inputs through a function,
// back-propagates L = sum(output * w) for fixed pseudo-random weights w, and compares each input's gradient
// with (L(x + eps e_j) - L(x - eps e_j)) / 2 eps, element by element. Inputs come from System.Random with a
// fixed seed, never from libtorch's global generator, so checks are reproducible and run in parallel.
using System.Text;
using Xunit.Sdk;

namespace Sld.Bench.Torch.Tests;

internal static class GradCheck
{
    public const double Eps = 1e-6;
    public const double Atol = 1e-5;
    public const double Rtol = 1e-4;

    /// <summary>
    /// Fails with the op, the input index and the worst element when autograd and finite differences disagree
    /// by more than atol + rtol * |numeric| anywhere, when a gradient has the wrong shape, or when an input's
    /// numeric gradient is zero everywhere (the check would then prove nothing about that input).
    /// </summary>
    public static void Verify(string op, Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        using var scope = torch.NewDisposeScope();
        var values = new double[inputs.Length][];
        var shapes = new long[inputs.Length][];
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].dtype != ScalarType.Float64)
                throw new ArgumentException($"{op}: input {i} is {inputs[i].dtype.Name()}; gradient checks need float64");
            values[i] = inputs[i].ToArray<double>();
            shapes[i] = inputs[i].shape;
        }

        // Autograd: one backward pass of sum(output * w).
        var leaves = new Tensor[inputs.Length];
        for (var i = 0; i < inputs.Length; i++) leaves[i] = torch.tensor(values[i], shapes[i]).requires_grad_();
        var output = f(leaves);
        if (output.dtype != ScalarType.Float64)
            throw new ArgumentException($"{op}: output is {output.dtype.Name()}; gradient checks need float64 (view_as_real for complex)");
        var weights = Weights(checked((int)output.numel()));
        output.mul(torch.tensor(weights, output.shape)).sum().backward();

        for (var i = 0; i < inputs.Length; i++)
        {
            var grad = leaves[i].grad;
            if (grad is not null && !grad.shape.SequenceEqual(shapes[i]))
                throw new XunitException($"{op}: gradient of input {i} has shape [{string.Join(", ", grad.shape)}] " +
                                         $"but the input has shape [{string.Join(", ", shapes[i])}]");
            var analytic = grad?.ToArray<double>() ?? new double[values[i].Length];
            var numeric = NumericGradient(f, values, shapes, i, weights);
            Compare(op, i, shapes[i], analytic, numeric);
        }
    }

    private static double[] NumericGradient(Func<Tensor[], Tensor> f, double[][] values, long[][] shapes, int input, double[] weights)
    {
        using var noGrad = torch.no_grad();
        var x = values[input];
        var result = new double[x.Length];
        for (var j = 0; j < x.Length; j++)
        {
            var saved = x[j];
            x[j] = saved + Eps;
            var plus = Objective(f, values, shapes, weights);
            x[j] = saved - Eps;
            var minus = Objective(f, values, shapes, weights);
            x[j] = saved;
            result[j] = (plus - minus) / (2 * Eps);
        }
        return result;
    }

    private static double Objective(Func<Tensor[], Tensor> f, double[][] values, long[][] shapes, double[] weights)
    {
        using var scope = torch.NewDisposeScope();
        var xs = new Tensor[values.Length];
        for (var i = 0; i < values.Length; i++) xs[i] = torch.tensor(values[i], shapes[i]);
        var y = f(xs).ToArray<double>();
        var sum = 0.0;
        for (var k = 0; k < y.Length; k++) sum += y[k] * weights[k];
        return sum;
    }

    private static void Compare(string op, int input, long[] shape, double[] analytic, double[] numeric)
    {
        var worst = -1;
        var worstExcess = 0.0;
        var failures = 0;
        var largest = 0.0;
        for (var j = 0; j < numeric.Length; j++)
        {
            largest = Math.Max(largest, Math.Abs(numeric[j]));
            var diff = Math.Abs(analytic[j] - numeric[j]);
            var allowed = Atol + Rtol * Math.Abs(numeric[j]);
            if (diff <= allowed && !double.IsNaN(analytic[j])) continue;
            failures++;
            var excess = double.IsNaN(diff) ? double.PositiveInfinity : diff / allowed;
            if (worst < 0 || excess > worstExcess) (worst, worstExcess) = (j, excess);
        }
        if (failures > 0)
        {
            var message = new StringBuilder()
                .Append($"{op}: gradient of input {input} (shape [{string.Join(", ", shape)}]) differs from central finite differences ")
                .Append($"in {failures} of {numeric.Length} elements; worst at element {worst} (index [{string.Join(", ", Unravel(worst, shape))}]): ")
                .Append($"autograd {analytic[worst]:R}, numeric {numeric[worst]:R}, |diff| {Math.Abs(analytic[worst] - numeric[worst]):G3} ")
                .Append($"> atol {Atol} + rtol {Rtol} * |numeric|");
            throw new XunitException(message.ToString());
        }
        if (largest <= Atol)
            throw new XunitException($"{op}: the numeric gradient of input {input} is zero everywhere, so this check cannot fail; " +
                                     "pick inputs the output depends on");
    }

    private static long[] Unravel(long flat, long[] shape)
    {
        var index = new long[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /// <summary>Fixed weights in [-1, 1) so that every output element reaches the loss with its own factor.</summary>
    private static double[] Weights(int n)
    {
        var random = new Random(20240917);
        var w = new double[n];
        for (var k = 0; k < n; k++) w[k] = 2 * random.NextDouble() - 1;
        return w;
    }

    // ---- inputs ----

    /// <summary>A float64 tensor of values uniform in [lo, hi), reproducible from the seed.</summary>
    public static Tensor Uniform(int seed, double lo, double hi, params long[] shape)
    {
        var random = new Random(seed);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var v = new double[n];
        for (var k = 0; k < n; k++) v[k] = lo + (hi - lo) * random.NextDouble();
        return torch.tensor(v, shape);
    }

    /// <summary>Values uniform in [-1, 1).</summary>
    public static Tensor Rand(int seed, params long[] shape) => Uniform(seed, -1, 1, shape);

    /// <summary>Magnitudes uniform in [lo, hi) with random signs: keeps kinks at 0 (abs, relu, l1) out of reach.</summary>
    public static Tensor AwayFromZero(int seed, double lo, double hi, params long[] shape)
    {
        var random = new Random(seed);
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var v = new double[n];
        for (var k = 0; k < n; k++) v[k] = (random.Next(2) == 0 ? -1 : 1) * (lo + (hi - lo) * random.NextDouble());
        return torch.tensor(v, shape);
    }

    public static Tensor Longs(long[] values, params long[] shape) => torch.tensor(values, shape);

    public static Tensor Bools(bool[] values, params long[] shape) => torch.tensor(values, shape);
}
