// How numbers read on every page: rates in percent with two decimals, mean ± std, counts with thousands
// separators, durations in h/min/s. Invariant culture, so tables look the same on every machine.
using System.Globalization;

namespace Sld.Bench.Dashboard.Components.Shared;

public static class Fmt
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A percentage with a unit: "5.12 %"; a dash when undefined.</summary>
    public static string Pct(double? percent, int decimals = 2) => percent is { } p ? p.ToString("F" + decimals, Inv) + " %" : "—";

    /// <summary>A bare percentage number for table cells whose header carries the unit.</summary>
    public static string Num(double? value, int decimals = 2) => value is { } v ? v.ToString("F" + decimals, Inv) : "—";

    /// <summary>"5.12 ± 0.31" (std omitted for a single value).</summary>
    public static string MeanStd(double? mean, double? std, int decimals = 2) =>
        mean is null ? "—" : std is { } s ? $"{Num(mean, decimals)} ± {Num(s, decimals)}" : Num(mean, decimals);

    public static string Count(long n) => n.ToString("N0", Inv);

    /// <summary>Signed difference in points: "+0.42" or "−1.10".</summary>
    public static string Delta(double? d, int decimals = 2) =>
        d is not { } v ? "—" : (v > 0 ? "+" : v < 0 ? "−" : "±") + Math.Abs(v).ToString("F" + decimals, Inv);

    public static string Seconds(double? seconds)
    {
        if (seconds is not { } s) return "—";
        var t = TimeSpan.FromSeconds(s);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes:D2} min" : t.TotalMinutes >= 1 ? $"{t.Minutes} min {t.Seconds:D2} s" : s.ToString("0.0", Inv) + " s";
    }

    public static string Time(DateTime? utc) => utc is { } t ? t.ToString("yyyy-MM-dd HH:mm", Inv) + " UTC" : "—";

    public static string P(double? p) => p is not { } v ? "—" : v < 0.001 ? "< 0.001" : v.ToString("F3", Inv);
}
