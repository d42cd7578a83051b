// The `sweep:` block of an experiment file, parsed and checked: grid axes (lists, range(...), {start, stop,
// step}), zip groups (members vary together), conditional axes (`{values, when}` inline or `when:` blocks with
// `if:`), and seeds. Expansion into cells is SweepExpander's job; this file only reads and validates syntax.
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sld.Bench.Shared.Config;

/// <summary>One swept key with its values. A group axis (`tokenizer: [kmeans, spm]`) chooses group options.</summary>
internal sealed record AxisSpec(string Key, bool IsGroup, SourceLocation KeyLocation, IReadOnlyList<ConfigNode> Values)
{
    public string[] Path { get; } = ConfigPath.Split(Key);
}

/// <summary>Axes that vary together: one member for a grid axis, several for a zip group.</summary>
internal sealed record AxisGroupSpec(IReadOnlyList<AxisSpec> Members, int? ZipIndex, SourceLocation Location)
{
    public int Length => Members[0].Values.Count;
}

/// <summary>`key: value`, `key: [v1, v2]` (one of) or `key: {not: ...}` inside an `if:`/`when:` condition.</summary>
internal sealed record ConditionTerm(string Key, bool IsGroup, SourceLocation Location, IReadOnlyList<ConfigNode> Values, bool Negated)
{
    public string[] Path { get; } = ConfigPath.Split(Key);

    public override string ToString()
    {
        var values = Values.Count == 1 ? Display(Values[0]) : "[" + string.Join(", ", Values.Select(Display)) + "]";
        return $"{Key} {(Negated ? (Values.Count == 1 ? "!=" : "not in") : (Values.Count == 1 ? "==" : "in"))} {values}";
    }

    internal static string Display(ConfigNode node) =>
        node is ConfigScalar { Kind: ScalarKind.String } s ? s.Text : CanonicalJson.Write(node);
}

/// <summary>Axes that exist only in cells where every term of the condition holds.</summary>
internal sealed record ConditionalSpec(IReadOnlyList<ConditionTerm> Terms, IReadOnlyList<AxisGroupSpec> Groups, SourceLocation Location)
{
    public string Text => string.Join(" and ", Terms);
}

internal sealed partial class SweepDefinition
{
    private static readonly string[] BlockKeys = ["name", "grid", "zip", "when", "seeds"];
    public const string SeedKey = "seed";

    public string? Name { get; private init; }
    public SourceLocation Location { get; private init; }
    public List<AxisGroupSpec> Unconditional { get; } = [];
    public List<ConditionalSpec> Conditional { get; } = [];
    public AxisSpec? Seeds { get; private set; }
    private int _zipCount;

    /// <summary>Parses the sweep block; <paramref name="groups"/> decides which bare keys choose group options.</summary>
    public static SweepDefinition Parse(ConfigNode? block, IReadOnlySet<string> groups, SourceLocation fileLocation)
    {
        if (block == null) return new SweepDefinition { Location = fileLocation };
        var map = Map(block, "the sweep block");
        CheckKeys(map, BlockKeys, "the sweep block");
        var def = new SweepDefinition
        {
            Location = map.Location,
            Name = map["name"] is { } n ? CheckName(Text(n, "sweep.name"), n.Location, "sweep.name") : null,
        };
        foreach (var entry in map.Entries)
        {
            switch (entry.Key)
            {
                case "grid":
                    foreach (var axis in Map(entry.Value, "sweep.grid").Entries)
                    {
                        if (axis.Value is ConfigMap m && (m["when"] != null || m["values"] != null))
                        {
                            CheckKeys(m, ["values", "when"], $"the axis '{axis.Key}'");
                            var values = m["values"] ?? throw new ConfigException(m.Location, $"conditional axis '{axis.Key}' needs 'values:'");
                            var spec = new AxisGroupSpec([def.Axis(axis.Key, axis.KeyLocation, values, groups)], null, axis.KeyLocation);
                            if (m["when"] is { } when) def.Conditional.Add(new ConditionalSpec(Condition(when, groups), [spec], when.Location));
                            else def.Unconditional.Add(spec);
                        }
                        else def.Unconditional.Add(new AxisGroupSpec([def.Axis(axis.Key, axis.KeyLocation, axis.Value, groups)], null, axis.KeyLocation));
                    }
                    break;
                case "zip":
                    foreach (var item in List(entry.Value, "sweep.zip"))
                    {
                        var group = def.Zip(item, groups, out var when);
                        if (when == null) def.Unconditional.Add(group);
                        else def.Conditional.Add(new ConditionalSpec(Condition(when, groups), [group], when.Location));
                    }
                    break;
                case "when":
                    foreach (var item in List(entry.Value, "sweep.when")) def.Conditional.Add(def.WhenBlock(item, groups));
                    break;
                case "seeds":
                    var seeds = def.Axis(SeedKey, entry.KeyLocation, entry.Value, groups);
                    foreach (var v in seeds.Values)
                        if (v is not ConfigScalar { Kind: ScalarKind.Int })
                            throw new ConfigException(v.Location, $"seeds must be integers, not {v.Describe()}");
                    def.Seeds = seeds;
                    break;
            }
        }
        def.CheckDistinctKeys();
        return def;
    }

    private ConditionalSpec WhenBlock(ConfigNode item, IReadOnlySet<string> groups)
    {
        var block = Map(item, "a sweep.when block");
        CheckKeys(block, ["if", "grid", "zip"], "a sweep.when block");
        var condition = block["if"] ?? throw new ConfigException(block.Location, "a sweep.when block needs 'if:' (the condition) and 'grid:' or 'zip:' (its axes)");
        var axes = new List<AxisGroupSpec>();
        if (block["grid"] is { } grid)
            foreach (var axis in Map(grid, "a when block's grid").Entries)
                axes.Add(new AxisGroupSpec([Axis(axis.Key, axis.KeyLocation, axis.Value, groups)], null, axis.KeyLocation));
        if (block["zip"] is { } zip)
            foreach (var z in List(zip, "a when block's zip"))
            {
                axes.Add(Zip(z, groups, out var nested));
                if (nested != null) throw new ConfigException(nested.Location, "a zip inside a when block takes its condition from the block's 'if:'");
            }
        if (axes.Count == 0) throw new ConfigException(block.Location, "a sweep.when block needs 'grid:' or 'zip:' with at least one axis");
        return new ConditionalSpec(Condition(condition, groups), axes, condition.Location);
    }

    private AxisGroupSpec Zip(ConfigNode item, IReadOnlySet<string> groups, out ConfigNode? when)
    {
        var map = Map(item, "a zip group");
        when = map["when"];
        var members = map.Entries.Where(e => e.Key != "when").Select(e => Axis(e.Key, e.KeyLocation, e.Value, groups)).ToList();
        if (members.Count < 2)
            throw new ConfigException(map.Location, $"a zip group pairs at least two keys; this one has {members.Count} (use grid: for one)");
        foreach (var m in members.Skip(1))
            if (m.Values.Count != members[0].Values.Count)
                throw new ConfigException(m.KeyLocation,
                    $"zip group: '{m.Key}' has {m.Values.Count} values but '{members[0].Key}' (at {members[0].KeyLocation}) has {members[0].Values.Count}; zipped axes need equal lengths");
        return new AxisGroupSpec(members, ++_zipCount, map.Location);
    }

    private AxisSpec Axis(string key, SourceLocation keyLocation, ConfigNode node, IReadOnlySet<string> groups)
    {
        var isGroup = !key.Contains('.') && groups.Contains(key);
        var values = Values(node, key);
        if (values.Count == 0) throw new ConfigException(node.Location, $"axis '{key}' has no values: an empty axis would make an empty grid");
        return new AxisSpec(key, isGroup, keyLocation, values);
    }

    /// <summary>A list, `range(stop)`, `range(start, stop[, step])` or {start, stop, step}; stop is exclusive, as in Python.</summary>
    private static List<ConfigNode> Values(ConfigNode node, string key)
    {
        switch (node)
        {
            case ConfigList list:
                return list.Items.ToList();
            case ConfigScalar { Kind: ScalarKind.String } s when RangePattern().Match(s.Text) is { Success: true } m:
                var args = m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries)
                    .Select(a => ConfigYaml.Parse(a, s.Location.File) as ConfigScalar)
                    .ToList();
                if (args.Count is < 1 or > 3 || args.Any(a => a is not { IsNumber: true }))
                    throw new ConfigException(s.Location, $"axis '{key}': range takes 1 to 3 numbers: range(stop), range(start, stop) or range(start, stop, step)");
                return args.Count == 1
                    ? Range(ConfigScalar.Int(0, s.Location), args[0]!, null, s.Location, key)
                    : Range(args[0]!, args[1]!, args.Count == 3 ? args[2] : null, s.Location, key);
            case ConfigMap map when map["start"] != null || map["stop"] != null:
                CheckKeys(map, ["start", "stop", "step"], $"the range of axis '{key}'");
                var start = Number(map["start"] ?? throw new ConfigException(map.Location, $"axis '{key}': a range needs start:"), key);
                var stop = Number(map["stop"] ?? throw new ConfigException(map.Location, $"axis '{key}': a range needs stop:"), key);
                return Range(start, stop, map["step"] is { } step ? Number(step, key) : null, map.Location, key);
            default:
                throw new ConfigException(node.Location,
                    $"axis '{key}' takes a list of values, range(start, stop[, step]) or {{start, stop, step}}, not {node.Describe()}");
        }
    }

    private static List<ConfigNode> Range(ConfigScalar start, ConfigScalar stop, ConfigScalar? step, SourceLocation at, string key)
    {
        var values = new List<ConfigNode>();
        var integral = start.Kind == ScalarKind.Int && stop.Kind == ScalarKind.Int && step is null or { Kind: ScalarKind.Int };
        // Decimal arithmetic keeps range(0.1, 0.4, 0.1) at 0.1, 0.2, 0.3 instead of 0.30000000000000004.
        var (a, b, d) = ((decimal)start.NumberValue, (decimal)stop.NumberValue, step == null ? 1m : (decimal)step.NumberValue);
        if (d == 0) throw new ConfigException(at, $"axis '{key}': a range's step must not be 0");
        for (var i = 0; ; i++)
        {
            var v = a + i * d;
            if (d > 0 ? v >= b : v <= b) break;
            if (i >= 100_000) throw new ConfigException(at, $"axis '{key}': the range has more than 100000 values");
            values.Add(integral ? ConfigScalar.Int((long)v, at) : ConfigScalar.Float((double)v, at));
        }
        if (values.Count == 0)
            throw new ConfigException(at, $"axis '{key}': the range from {Fmt(a)} to {Fmt(b)} by {Fmt(d)} is empty (stop is exclusive), which would make an empty grid");
        return values;
    }

    private static string Fmt(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static ConfigScalar Number(ConfigNode node, string key) =>
        node as ConfigScalar is { IsNumber: true } s ? s : throw new ConfigException(node.Location, $"axis '{key}': range bounds must be numbers, not {node.Describe()}");

    private static IReadOnlyList<ConditionTerm> Condition(ConfigNode node, IReadOnlySet<string> groups)
    {
        var map = Map(node, "a condition");
        if (map.Count == 0) throw new ConfigException(map.Location, "a condition needs at least one key: value");
        return map.Entries.Select(e =>
        {
            var isGroup = !e.Key.Contains('.') && groups.Contains(e.Key);
            return e.Value switch
            {
                ConfigMap { Count: 1 } m when m["not"] is { } not => new ConditionTerm(e.Key, isGroup, e.KeyLocation, not is ConfigList nl ? nl.Items : [not], true),
                ConfigMap m => throw new ConfigException(m.Location, $"condition on '{e.Key}': a value, a list of values (one of), or {{not: value}}"),
                ConfigList l when l.Items.Count == 0 => throw new ConfigException(l.Location, $"condition on '{e.Key}' lists no values"),
                ConfigList l => new ConditionTerm(e.Key, isGroup, e.KeyLocation, l.Items, false),
                var v => new ConditionTerm(e.Key, isGroup, e.KeyLocation, [v], false),
            };
        }).ToList();
    }

    /// <summary>Two unconditional axes over one key (or one key also under a condition) contradict each other.</summary>
    private void CheckDistinctKeys()
    {
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var all = Unconditional.SelectMany(g => g.Members).Concat(Seeds is null ? [] : [Seeds]);
        foreach (var axis in all)
            if (!seen.TryAdd(axis.Key, axis.KeyLocation))
                throw new ConfigException(axis.KeyLocation, $"'{axis.Key}' is swept twice (first at {seen[axis.Key]})");
        foreach (var axis in Conditional.SelectMany(c => c.Groups).SelectMany(g => g.Members))
            if (seen.TryGetValue(axis.Key, out var first))
                throw new ConfigException(axis.KeyLocation, $"'{axis.Key}' is already swept in every cell (at {first}); it cannot also be a conditional axis");
    }

    /// <summary>
    /// A sweep name becomes a folder (runs/&lt;name&gt;) and a URL segment: letters, digits, '.', '-' and '_', starting
    /// with a letter or digit, so `..` or `a/b` can never place run folders outside runs/.
    /// </summary>
    public static string CheckName(string name, SourceLocation at, string what)
    {
        if (!NamePattern().IsMatch(name))
            throw new ConfigException(at,
                $"{what} '{name}' is not a usable sweep name: use 1 to 100 letters, digits, '.', '-' or '_', starting with a letter or digit (it names the folder runs/<name>)");
        return name;
    }

    private static ConfigMap Map(ConfigNode node, string what) =>
        node as ConfigMap ?? throw new ConfigException(node.Location, $"{what} must be a mapping, not {node.Describe()}");

    private static IReadOnlyList<ConfigNode> List(ConfigNode node, string what) =>
        (node as ConfigList ?? throw new ConfigException(node.Location, $"{what} must be a list, not {node.Describe()}")).Items;

    private static string Text(ConfigNode node, string what) =>
        node is ConfigScalar { Kind: ScalarKind.String or ScalarKind.Int } s ? s.Text : throw new ConfigException(node.Location, $"{what} must be a string, not {node.Describe()}");

    private static void CheckKeys(ConfigMap map, IReadOnlyList<string> allowed, string what)
    {
        foreach (var e in map.Entries)
        {
            if (allowed.Contains(e.Key)) continue;
            var message = $"unknown key '{e.Key}' in {what}; valid keys: {NameSuggestions.List(allowed)}";
            if (NameSuggestions.Nearest(e.Key, allowed) is { } near) message += $"; did you mean '{near}'?";
            throw new ConfigException(e.KeyLocation, message);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\s*range\s*\((.*)\)\s*$")]
    private static partial Regex RangePattern();
}
