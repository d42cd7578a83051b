// Canonical JSON of config trees and the hashes derived from it: keys sorted by code unit, no whitespace,
// numbers in ECMAScript form (RFC 8785, so 1, 1.0 and 1e0 are all "1" and 3e-4 is "0.0003"), strings with
// minimal escapes. The same config gives the same bytes on every machine, hence a stable identity for cells.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sld.Bench.Shared.Config;

public static class CanonicalJson
{
    public static string Write(ConfigNode node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, ConfigNode node)
    {
        switch (node)
        {
            case ConfigScalar s:
                WriteScalar(sb, s);
                break;
            case ConfigList list:
                sb.Append('[');
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, list.Items[i]);
                }
                sb.Append(']');
                break;
            case ConfigMap map:
                sb.Append('{');
                var first = true;
                foreach (var e in map.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, e.Key);
                    sb.Append(':');
                    Write(sb, e.Value);
                }
                sb.Append('}');
                break;
        }
    }

    private static void WriteScalar(StringBuilder sb, ConfigScalar s)
    {
        switch (s.Kind)
        {
            case ScalarKind.Null:
                sb.Append("null");
                break;
            case ScalarKind.Bool:
                sb.Append(s.BoolValue ? "true" : "false");
                break;
            case ScalarKind.Int:
                sb.Append(s.IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case ScalarKind.Float when double.IsFinite(s.FloatValue):
                sb.Append(FormatDouble(s.FloatValue));
                break;
            case ScalarKind.Float:
                // JSON has no NaN or infinity; write them as the strings JavaScript would print.
                WriteString(sb, double.IsNaN(s.FloatValue) ? "NaN" : s.FloatValue > 0 ? "Infinity" : "-Infinity");
                break;
            case ScalarKind.Missing:
                WriteString(sb, "???");
                break;
            default:
                WriteString(sb, s.Text);
                break;
        }
    }

    /// <summary>ECMAScript Number::toString of a finite double (shortest round-trip digits).</summary>
    public static string FormatDouble(double value)
    {
        if (!double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        if (value == 0) return "0";
        // "R" gives the shortest digits that round-trip, as "1.5E-07" or "123.45"; re-place the point the ECMAScript way.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        var expIndex = shortest.IndexOfAny(['E', 'e']);
        var mantissa = expIndex >= 0 ? shortest[..expIndex] : shortest;
        var exponent = expIndex >= 0 ? int.Parse(shortest[(expIndex + 1)..], CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.');
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        // value = 0.digits x 10^n
        var n = intPart.Length + exponent - leadingZeros;
        digits = digits.TrimEnd('0');
        var k = digits.Length;
        string text;
        if (k <= n && n <= 21) text = digits + new string('0', n - k);
        else if (0 < n && n <= 21) text = digits[..n] + "." + digits[n..];
        else if (-6 < n && n <= 0) text = "0." + new string('0', -n) + digits;
        else
        {
            var e = n - 1;
            var sign = e >= 0 ? "+" : "-";
            text = (k == 1 ? digits : digits[..1] + "." + digits[1..]) + "e" + sign + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        }
        return negative ? "-" + text : text;
    }

    private static void WriteString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}

/// <summary>Stable identities of configs and of the parts of them that a shared stage depends on.</summary>
public static class ConfigHash
{
    /// <summary>Hex characters kept from SHA-256: 64 bits, ample for millions of cells.</summary>
    public const int Length = 16;

    public static string Of(ConfigNode node) => OfText(CanonicalJson.Write(node));

    public static string OfText(string canonicalJson)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson));
        return Convert.ToHexStringLower(digest)[..Length];
    }

    /// <summary>
    /// The hash of the sub-trees at the given dotted paths (e.g. "data", "features", "tokenizer"), as the
    /// canonical object {path: subtree}: two cells that agree on those sections share a stage's output.
    /// </summary>
    public static string OfSections(ConfigNode root, params string[] paths) => OfText(SectionsJson(root, paths));

    public static string SectionsJson(ConfigNode root, params string[] paths)
    {
        if (paths.Length == 0) throw new ArgumentException("name at least one section", nameof(paths));
        var entries = new List<ConfigEntry>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var node = ConfigPath.Find(root, ConfigPath.Split(path))
                ?? throw new KeyNotFoundException($"the config has no section '{path}' to hash");
            entries.Add(new ConfigEntry(path, node.Location, node));
        }
        return CanonicalJson.Write(new ConfigMap(entries, root.Location));
    }
}
