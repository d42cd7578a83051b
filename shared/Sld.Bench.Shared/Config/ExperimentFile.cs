// The entry point for experiment files: load one, compose its config (defaults + deltas + --set) and expand
// its sweep into cells. Expansion order: unconditional axes in declaration order (first outermost), then each
// conditional block where its condition holds, then seeds innermost; every cell is composed and checked alone.
// Cells are counted before each product is built, so a sweep beyond the cell limit is refused before it can
// exhaust memory, naming the axes that multiply.
using System.Globalization;

namespace Sld.Bench.Shared.Config;

public sealed class ExperimentFile
{
    /// <summary>The most cells a sweep may expand to unless the caller raises it (`sweep plan|run --cell-limit`).</summary>
    public const long DefaultMaxCells = 100_000;

    private readonly ConfigComposer _composer = new();
    private readonly SweepDefinition _sweep;
    private readonly IReadOnlyDictionary<string, SourceLocation> _groups;

    private ExperimentFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var map = _composer.LoadFile(Path);
        _groups = _composer.Groups(Path);
        _sweep = SweepDefinition.Parse(map["sweep"], _groups.Keys.ToHashSet(StringComparer.Ordinal), map.Location);
        Name = _sweep.Name ?? SweepDefinition.CheckName(System.IO.Path.GetFileNameWithoutExtension(Path), new SourceLocation(Path, 1, 1),
            "the file name (the sweep's name when the file has no sweep.name)");
    }

    public static ExperimentFile Load(string path) => new(path);

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>`sweep.name`, or the file name without extension.</summary>
    public string Name { get; }

    /// <summary>The config groups the experiment chooses from (model, tokenizer, ...).</summary>
    public IReadOnlyCollection<string> Groups => _groups.Keys.ToList();

    public bool HasSweep => _sweep.Unconditional.Count + _sweep.Conditional.Count > 0 || _sweep.Seeds != null;

    /// <summary>
    /// The config before sweeping: defaults, the file's own keys and the overrides. It may still hold `???`
    /// values that the sweep fills; <see cref="Expand"/> is what checks completeness.
    /// </summary>
    public ConfigMap Compose(IReadOnlyList<ConfigOverride>? overrides = null)
    {
        var split = SplitOverrides(overrides ?? []);
        return Resolve([], split, out _);
    }

    /// <summary>
    /// Expands the sweep (a file without one is a single cell). Throws ConfigException naming file:line:column,
    /// also when the sweep would have more than <paramref name="maxCells"/> cells (checked before building them).
    /// </summary>
    public SweepPlan Expand(IReadOnlyList<ConfigOverride>? overrides = null, long maxCells = DefaultMaxCells)
    {
        if (maxCells < 1) throw new ArgumentOutOfRangeException(nameof(maxCells), maxCells, "the cell limit must be at least 1");
        overrides ??= [];
        var split = SplitOverrides(overrides);
        List<List<Assignment>> partials = [[]];

        foreach (var group in _sweep.Unconditional) partials = Product(partials, group, maxCells);
        foreach (var block in _sweep.Conditional) partials = ApplyConditional(partials, block, split, maxCells);
        if (_sweep.Seeds is { } seeds) partials = Product(partials, new AxisGroupSpec([seeds], null, seeds.KeyLocation), maxCells);

        var cells = new List<SweepCell>(partials.Count);
        var byHash = new Dictionary<string, SweepCell>(StringComparer.Ordinal);
        foreach (var p in partials)
        {
            var tree = Resolve(p, split, out var choices);
            ConfigPath.EnsureComplete(tree, p.Count == 0 ? "" : $" in the cell {string.Join(" ", p.Select(a => a.ToValue()))}");
            var cell = new SweepCell(cells.Count, p.Select(a => a.ToValue()).ToList(), tree, choices, _sweep.Seeds != null);
            if (byHash.TryGetValue(cell.Hash, out var twin))
                throw new ConfigException(_sweep.Location,
                    $"cells #{twin.Index} ({twin.Describe()}) and #{cell.Index} ({cell.Describe()}) resolve to the same config (hash {cell.Hash}): an axis changes nothing there");
            byHash[cell.Hash] = cell;
            cells.Add(cell);
        }
        return new SweepPlan(Name, Path, overrides.Select(o => o.Text).ToList(), Axes(), cells);
    }

    private sealed record Assignment(AxisSpec Axis, ConfigNode Value)
    {
        public AxisValue ToValue() => new(Axis.Key, Value, Axis.IsGroup);
    }

    private sealed record SplitOverridesResult(Dictionary<string, GroupChoice> Choices, List<ConfigOverride> Values);

    private SplitOverridesResult SplitOverrides(IReadOnlyList<ConfigOverride> overrides)
    {
        var axes = AllAxes().ToList();
        var result = new SplitOverridesResult(new Dictionary<string, GroupChoice>(StringComparer.Ordinal), []);
        foreach (var o in overrides)
        {
            var isGroup = !o.Key.Contains('.') && _groups.ContainsKey(o.Key);
            foreach (var axis in axes)
            {
                var clash = axis.Key == o.Key || (!isGroup && axis.Key.StartsWith(o.Key + ".", StringComparison.Ordinal));
                if (clash)
                    throw new ConfigException(o.KeyLocation,
                        $"--set {o.Key} would override the sweep axis '{axis.Key}' declared at {axis.KeyLocation} in every cell; remove the axis or set another key");
            }
            if (isGroup) result.Choices[o.Key] = new GroupChoice(OptionName(o.Value, o.Key), o.Value.Location);
            else result.Values.Add(o);
        }
        return result;
    }

    private IEnumerable<AxisSpec> AllAxes() =>
        _sweep.Unconditional.SelectMany(g => g.Members)
            .Concat(_sweep.Conditional.SelectMany(c => c.Groups).SelectMany(g => g.Members))
            .Concat(_sweep.Seeds is null ? [] : [_sweep.Seeds]);

    private static string OptionName(ConfigNode value, string group) =>
        value is ConfigScalar { Kind: ScalarKind.String or ScalarKind.Int } s
            ? s.Text
            : throw new ConfigException(value.Location, $"group '{group}' takes an option name (a file of {group}/), not {value.Describe()}");

    private ConfigMap Resolve(IReadOnlyList<Assignment> assignments, SplitOverridesResult overrides, out IReadOnlyDictionary<string, string> choices)
    {
        var groupChoices = new Dictionary<string, GroupChoice>(overrides.Choices, StringComparer.Ordinal);
        foreach (var a in assignments.Where(a => a.Axis.IsGroup))
            groupChoices[a.Axis.Key] = new GroupChoice(OptionName(a.Value, a.Axis.Key), a.Value.Location);
        var composed = _composer.Compose(Path, groupChoices);
        var tree = composed.Tree;
        foreach (var a in assignments.Where(a => !a.Axis.IsGroup))
        {
            if (a.Axis.Key == SweepDefinition.SeedKey && tree[SweepDefinition.SeedKey] == null)
                throw new ConfigException(a.Axis.KeyLocation, "seeds: sets the top-level key 'seed', which the config does not have; add `seed: 0` to the base config");
            tree = ConfigPath.Set(tree, a.Axis.Path, a.Value, a.Axis.KeyLocation, "sweep axis");
        }
        foreach (var o in overrides.Values) tree = ConfigPath.Set(tree, o.Path.ToArray(), o.Value, o.KeyLocation, "--set");
        choices = composed.Choices;
        return tree;
    }

    private List<List<Assignment>> Product(List<List<Assignment>> partials, AxisGroupSpec group, long maxCells)
    {
        CheckCellCount((long)partials.Count * group.Length, maxCells, group.Location);
        var next = new List<List<Assignment>>(partials.Count * group.Length);
        foreach (var p in partials)
            for (var i = 0; i < group.Length; i++)
                next.Add([.. p, .. group.Members.Select(m => new Assignment(m, m.Values[i]))]);
        return next;
    }

    /// <summary>The error for a sweep past the cell limit: every axis with its number of values, so the culprit is plain.</summary>
    private void CheckCellCount(long cells, long maxCells, SourceLocation at)
    {
        if (cells <= maxCells) return;
        var axes = AllAxes().Select(a => $"{a.Key} ({a.Values.Count.ToString("N0", CultureInfo.InvariantCulture)} values, at {a.KeyLocation})");
        throw new ConfigException(at,
            $"the sweep would have at least {cells.ToString("N0", CultureInfo.InvariantCulture)} cells, more than the limit of {maxCells.ToString("N0", CultureInfo.InvariantCulture)} " +
            $"(its axes: {string.Join(", ", axes)}); sweep fewer values, or raise the limit with --cell-limit");
    }

    private List<List<Assignment>> ApplyConditional(List<List<Assignment>> partials, ConditionalSpec block, SplitOverridesResult overrides, long maxCells)
    {
        var next = new List<List<Assignment>>();
        var present = new bool[block.Terms.Count];
        ConfigMap? firstTree = null;
        var applied = false;
        for (var index = 0; index < partials.Count; index++)
        {
            var p = partials[index];
            var tree = Resolve(p, overrides, out var choices);
            firstTree ??= tree;
            if (!Holds(block.Terms, tree, choices, present))
            {
                next.Add(p);
                continue;
            }
            applied = true;
            List<List<Assignment>> expanded = [p];
            foreach (var group in block.Groups) expanded = Product(expanded, group, maxCells);
            CheckCellCount((long)next.Count + expanded.Count + (partials.Count - index - 1), maxCells, block.Location);
            foreach (var e in expanded)
            {
                var seen = new Dictionary<string, AxisSpec>(StringComparer.Ordinal);
                foreach (var a in e)
                    if (!seen.TryAdd(a.Axis.Key, a.Axis))
                        throw new ConfigException(a.Axis.KeyLocation,
                            $"'{a.Axis.Key}' is also swept by the axis at {seen[a.Axis.Key].KeyLocation} in the cell {string.Join(" ", p.Select(x => x.ToValue()))}: the two conditions overlap");
            }
            next.AddRange(expanded);
        }
        for (var i = 0; i < block.Terms.Count; i++)
        {
            var term = block.Terms[i];
            if (!present[i] && !term.IsGroup && firstTree != null)
                throw UnknownConditionKey(firstTree, term);
        }
        if (!applied)
        {
            var names = string.Join(", ", block.Groups.SelectMany(g => g.Members).Select(m => m.Key));
            throw new ConfigException(block.Location, $"the condition {block.Text} holds in no cell, so {names} would never be swept");
        }
        return next;
    }

    private static bool Holds(IReadOnlyList<ConditionTerm> terms, ConfigMap tree, IReadOnlyDictionary<string, string> choices, bool[] present)
    {
        var holds = true;
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            bool equal;
            if (term.IsGroup)
            {
                present[i] = true;
                equal = choices.TryGetValue(term.Key, out var option) && term.Values.Any(v => ConditionTerm.Display(v) == option);
            }
            else
            {
                var node = ConfigPath.Find(tree, term.Path);
                if (node == null)
                {
                    holds = false; // the key does not exist in this cell (e.g. another tokenizer): the axis does not apply
                    continue;
                }
                present[i] = true;
                var json = CanonicalJson.Write(node);
                equal = term.Values.Any(v => CanonicalJson.Write(v) == json);
            }
            if (equal == term.Negated) holds = false;
        }
        return holds;
    }

    private static ConfigException UnknownConditionKey(ConfigMap tree, ConditionTerm term)
    {
        var map = tree;
        for (var depth = 0; depth < term.Path.Length; depth++)
        {
            if (map[term.Path[depth]] is ConfigMap child) map = child;
            else return ConfigPath.UnknownKey(map, term.Path, depth, term.Location, "condition key");
        }
        return ConfigPath.UnknownKey(map, term.Path, term.Path.Length - 1, term.Location, "condition key");
    }

    private List<SweepAxis> Axes()
    {
        var axes = new List<SweepAxis>();
        foreach (var g in _sweep.Unconditional) axes.AddRange(Describe(g, null));
        foreach (var c in _sweep.Conditional)
            foreach (var g in c.Groups) axes.AddRange(Describe(g, c.Text));
        if (_sweep.Seeds is { } s)
            axes.Add(new SweepAxis(s.Key, SweepAxisKind.Seed, s.Values.Select(ConditionTerm.Display).ToList(), false, null, null, s.KeyLocation));
        return axes;
    }

    private static IEnumerable<SweepAxis> Describe(AxisGroupSpec group, string? condition) =>
        group.Members.Select(m => new SweepAxis(m.Key, group.ZipIndex is null ? SweepAxisKind.Grid : SweepAxisKind.Zip,
            m.Values.Select(ConditionTerm.Display).ToList(), m.IsGroup, group.ZipIndex, condition, m.KeyLocation));
}
