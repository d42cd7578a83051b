// Declares the numbers a config value may take, next to the value's declaration, so the binder rejects an
// out-of-range value at plan time with its file:line:column instead of the run failing later without a place.
// Without the attribute a number need only be finite: NaN and infinities are never a meaningful setting.
namespace Sld.Bench.Shared.Config;

[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false)]
public sealed class ConfigRangeAttribute(double min, double max = double.PositiveInfinity) : Attribute
{
    public double Min { get; } = min;

    public double Max { get; } = max;

    /// <summary>The value must be greater than <see cref="Min"/> (a learning rate, a temperature).</summary>
    public bool MinExclusive { get; init; }

    /// <summary>The value must be less than <see cref="Max"/> (a dropout or mask fraction).</summary>
    public bool MaxExclusive { get; init; }

    public bool Contains(double value) =>
        (MinExclusive ? value > Min : value >= Min) && (MaxExclusive ? value < Max : value <= Max);

    /// <summary>"at least 1", "greater than 0", "between 0 and 1", "from 0 up to (not including) 1".</summary>
    public string Describe()
    {
        var low = $"{(MinExclusive ? "greater than" : "at least")} {Format(Min)}";
        if (double.IsPositiveInfinity(Max)) return low;
        return $"{(MinExclusive ? "above" : "from")} {Format(Min)} {(MaxExclusive ? "up to (not including)" : "to")} {Format(Max)}";
    }

    private static string Format(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
