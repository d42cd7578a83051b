// The positioned, immutable tree that YAML files, --set overrides and sweep axes compose into. Every node
// remembers where it came from, so composition and binding errors can name file, line and column. Scalars are
// typed by the YAML 1.2 core schema; `???` is the "value must be given" marker.
using System.Globalization;

namespace Sld.Bench.Shared.Config;

public enum ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
    /// <summary>`???`: a required value that a later layer (group, experiment, axis, --set) must supply.</summary>
    Missing,
}

public abstract class ConfigNode
{
    private protected ConfigNode(SourceLocation location) => Location = location;

    public SourceLocation Location { get; }

    /// <summary>A short description for error messages: "a mapping", "a list", "the integer 3", ...</summary>
    public abstract string Describe();
}

public sealed class ConfigScalar : ConfigNode
{
    public ConfigScalar(ScalarKind kind, string text, SourceLocation location) : base(location)
    {
        Kind = kind;
        Text = text;
        switch (kind)
        {
            case ScalarKind.Bool:
                BoolValue = text.Equals("true", StringComparison.OrdinalIgnoreCase);
                break;
            case ScalarKind.Int:
                IntValue = ParseInt(text);
                break;
            case ScalarKind.Float:
                FloatValue = ParseFloat(text);
                break;
        }
    }

    public ScalarKind Kind { get; }

    /// <summary>The text as written (for strings, the unquoted value).</summary>
    public string Text { get; }

    public bool BoolValue { get; }

    public long IntValue { get; }

    public double FloatValue { get; }

    /// <summary>The number as a double, for Int and Float scalars.</summary>
    public double NumberValue => Kind == ScalarKind.Int ? IntValue : FloatValue;

    public bool IsNumber => Kind is ScalarKind.Int or ScalarKind.Float;

    public static ConfigScalar String(string value, SourceLocation location) => new(ScalarKind.String, value, location);

    public static ConfigScalar Int(long value, SourceLocation location) =>
        new(ScalarKind.Int, value.ToString(CultureInfo.InvariantCulture), location);

    public static ConfigScalar Float(double value, SourceLocation location) =>
        new(ScalarKind.Float, CanonicalJson.FormatDouble(value), location);

    public static ConfigScalar Null(SourceLocation location) => new(ScalarKind.Null, "null", location);

    public override string Describe() => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.Bool => $"the boolean {Text}",
        ScalarKind.Int => $"the integer {Text}",
        ScalarKind.Float => $"the number {Text}",
        ScalarKind.Missing => "??? (a value still to be given)",
        _ => $"the string '{Text}'",
    };

    private static long ParseInt(string text)
    {
        var negative = text.StartsWith('-');
        var body = text.TrimStart('+', '-');
        var value = body.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
            : body.StartsWith("0o", StringComparison.Ordinal)
                ? Convert.ToInt64(body[2..], 8)
                : long.Parse(body, NumberStyles.None, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    private static double ParseFloat(string text)
    {
        var lower = text.ToLowerInvariant();
        return lower switch
        {
            ".inf" or "+.inf" or "infinity" => double.PositiveInfinity,
            "-.inf" or "-infinity" => double.NegativeInfinity,
            ".nan" or "nan" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }
}

public sealed class ConfigList : ConfigNode
{
    public ConfigList(IReadOnlyList<ConfigNode> items, SourceLocation location) : base(location) => Items = items;

    public IReadOnlyList<ConfigNode> Items { get; }

    public override string Describe() => $"a list of {Items.Count}";
}

public sealed record ConfigEntry(string Key, SourceLocation KeyLocation, ConfigNode Value);

public sealed class ConfigMap : ConfigNode
{
    private readonly Dictionary<string, int> _index;

    public ConfigMap(IReadOnlyList<ConfigEntry> entries, SourceLocation location) : base(location)
    {
        Entries = entries;
        _index = new Dictionary<string, int>(entries.Count, StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
            if (!_index.TryAdd(entries[i].Key, i))
                throw new ConfigException(entries[i].KeyLocation, $"duplicate key '{entries[i].Key}'");
    }

    public static ConfigMap Empty(SourceLocation location) => new([], location);

    /// <summary>Entries in the order they were first declared.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    public IEnumerable<string> Keys => Entries.Select(e => e.Key);

    public int Count => Entries.Count;

    public override string Describe() => "a mapping";

    public bool TryGetEntry(string key, out ConfigEntry entry)
    {
        if (_index.TryGetValue(key, out var i))
        {
            entry = Entries[i];
            return true;
        }
        entry = null!;
        return false;
    }

    public ConfigNode? this[string key] => TryGetEntry(key, out var e) ? e.Value : null;

    /// <summary>A copy with <paramref name="key"/> set (replaced in place, or appended).</summary>
    public ConfigMap With(string key, SourceLocation keyLocation, ConfigNode value)
    {
        var entries = Entries.ToList();
        if (_index.TryGetValue(key, out var i)) entries[i] = entries[i] with { Value = value };
        else entries.Add(new ConfigEntry(key, keyLocation, value));
        return new ConfigMap(entries, Location);
    }

    public ConfigMap Without(params string[] keys) =>
        new(Entries.Where(e => !keys.Contains(e.Key, StringComparer.Ordinal)).ToList(), Location);
}

/// <summary>Dotted paths ("model.d_model") over config trees, and the layering rule used everywhere.</summary>
public static class ConfigPath
{
    public static string[] Split(string dotted) => dotted.Split('.');

    /// <summary>The node at <paramref name="path"/>, or null when a segment is absent or not a mapping.</summary>
    public static ConfigNode? Find(ConfigNode root, IReadOnlyList<string> path)
    {
        var node = root;
        foreach (var segment in path)
        {
            if (node is not ConfigMap map || map[segment] is not { } child) return null;
            node = child;
        }
        return node;
    }

    /// <summary>
    /// Sets the existing key at <paramref name="path"/>: a mapping value merges into a mapping, anything else
    /// replaces. A missing key is a ConfigException at <paramref name="at"/> that lists the valid keys there.
    /// </summary>
    public static ConfigMap Set(ConfigMap root, IReadOnlyList<string> path, ConfigNode value, SourceLocation at, string what)
    {
        if (!root.TryGetEntry(path[0], out var entry))
            throw UnknownKey(root, path, 0, at, what);
        if (path.Count == 1) return root.With(path[0], entry.KeyLocation, Merge(entry.Value, value));
        if (entry.Value is not ConfigMap child)
            throw new ConfigException(at, $"{what} '{string.Join('.', path)}': '{path[0]}' is {entry.Value.Describe()} (declared at {entry.Value.Location}), not a mapping");
        return root.With(path[0], entry.KeyLocation, SetIn(child, path, 1, value, at, what));
    }

    private static ConfigMap SetIn(ConfigMap map, IReadOnlyList<string> path, int depth, ConfigNode value, SourceLocation at, string what)
    {
        if (!map.TryGetEntry(path[depth], out var entry))
            throw UnknownKey(map, path, depth, at, what);
        if (depth == path.Count - 1) return map.With(path[depth], entry.KeyLocation, Merge(entry.Value, value));
        if (entry.Value is not ConfigMap child)
        {
            var prefix = string.Join('.', path.Take(depth + 1));
            throw new ConfigException(at, $"{what} '{string.Join('.', path)}': '{prefix}' is {entry.Value.Describe()} (declared at {entry.Value.Location}), not a mapping");
        }
        return map.With(path[depth], entry.KeyLocation, SetIn(child, path, depth + 1, value, at, what));
    }

    /// <summary>The error for a dotted key that names nothing: the valid keys at that level and the nearest one.</summary>
    public static ConfigException UnknownKey(ConfigMap map, IReadOnlyList<string> path, int depth, SourceLocation at, string what)
    {
        var prefix = string.Join('.', path.Take(depth));
        var full = string.Join('.', path);
        var keys = map.Keys.ToList();
        var where = depth == 0 ? "at the top level" : $"in '{prefix}'";
        var message = $"{what} '{full}' names no key in the config: {where} the keys are {NameSuggestions.List(keys)}";
        if (NameSuggestions.Nearest(path[depth], keys) is { } near)
            message += $"; did you mean '{(depth == 0 ? near : prefix + "." + near)}'?";
        return new ConfigException(at, message);
    }

    /// <summary>Layers <paramref name="overlay"/> on <paramref name="baseNode"/>: mappings merge key by key, anything else replaces.</summary>
    public static ConfigNode Merge(ConfigNode baseNode, ConfigNode overlay)
    {
        if (baseNode is not ConfigMap baseMap || overlay is not ConfigMap overMap) return overlay;
        var entries = baseMap.Entries.ToList();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++) positions[entries[i].Key] = i;
        foreach (var e in overMap.Entries)
        {
            if (positions.TryGetValue(e.Key, out var i)) entries[i] = entries[i] with { Value = Merge(entries[i].Value, e.Value) };
            else
            {
                positions[e.Key] = entries.Count;
                entries.Add(e);
            }
        }
        return new ConfigMap(entries, overMap.Location);
    }

    /// <summary>Places <paramref name="node"/> under the nested keys of <paramref name="package"/> (none: itself).</summary>
    public static ConfigNode Wrap(IReadOnlyList<string> package, ConfigNode node)
    {
        for (var i = package.Count - 1; i >= 0; i--)
            node = new ConfigMap([new ConfigEntry(package[i], node.Location, node)], node.Location);
        return node;
    }

    /// <summary>Every `???` left in the tree, with its dotted path.</summary>
    public static IEnumerable<(string Path, SourceLocation Location)> MissingValues(ConfigNode node, string prefix = "")
    {
        switch (node)
        {
            case ConfigScalar { Kind: ScalarKind.Missing } s:
                yield return (prefix, s.Location);
                break;
            case ConfigMap map:
                foreach (var e in map.Entries)
                    foreach (var m in MissingValues(e.Value, prefix.Length == 0 ? e.Key : prefix + "." + e.Key))
                        yield return m;
                break;
            case ConfigList list:
                for (var i = 0; i < list.Items.Count; i++)
                    foreach (var m in MissingValues(list.Items[i], $"{prefix}[{i}]"))
                        yield return m;
                break;
        }
    }

    /// <summary>Throws one ConfigException that lists every `???` still in the tree, each at its declaration.</summary>
    public static void EnsureComplete(ConfigNode node, string context)
    {
        var missing = MissingValues(node).ToList();
        if (missing.Count > 0)
            throw new ConfigException(missing
                .Select(m => new ConfigError(m.Location, $"required value '{m.Path}' (???) was not given{context}"))
                .ToList());
    }
}
