// Hydra-style composition of one config from files: a `defaults:` list names other files (`base`, merged at
// the same level) and group options (`model: tiny` = model/tiny.yaml placed under `model`), each file's own
// keys are merged after its defaults (or where `_self_` stands), and outer choices override inner ones.
namespace Sld.Bench.Shared.Config;

/// <summary>A chosen option of a config group ("model" -> "tiny"), with where the choice was made.</summary>
public sealed record GroupChoice(string Option, SourceLocation Location);

public sealed class ConfigComposer
{
    private const string DefaultsKey = "defaults";
    private const string SelfEntry = "_self_";

    private readonly Dictionary<string, ConfigMap> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ComposedConfig> _composed = new(StringComparer.Ordinal);

    /// <summary>Keys a file may hold besides config values; only the experiment file may have them.</summary>
    public static readonly IReadOnlyList<string> ExperimentOnlyKeys = ["sweep"];

    /// <summary>A parsed file, cached: a sweep composes the same files for every cell.</summary>
    public ConfigMap LoadFile(string path)
    {
        var full = Path.GetFullPath(path);
        if (_files.TryGetValue(full, out var map)) return map;
        var node = ConfigYaml.LoadFile(full);
        map = node as ConfigMap ?? throw new ConfigException(node.Location, $"a config file must be a mapping of keys, not {node.Describe()}");
        _files[full] = map;
        return map;
    }

    /// <summary>The groups that the experiment's root-level files (itself and the files they include) choose from.</summary>
    public IReadOnlyDictionary<string, SourceLocation> Groups(string primaryFile)
    {
        var groups = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        CollectGroups(Path.GetFullPath(primaryFile), groups, []);
        return groups;
    }

    private void CollectGroups(string file, Dictionary<string, SourceLocation> groups, List<string> stack)
    {
        if (stack.Contains(file)) return;
        stack.Add(file);
        foreach (var entry in ParseDefaults(LoadFile(file), allowGroups: true))
        {
            if (entry.Group is { } g) groups.TryAdd(g, entry.Location);
            else if (entry.Name is { } name && name != SelfEntry)
                CollectGroups(ResolveFile(file, name, entry.Location), groups, stack);
        }
        stack.RemoveAt(stack.Count - 1);
    }

    /// <summary>
    /// Composes <paramref name="primaryFile"/> with its defaults. <paramref name="choices"/> (from sweep axes and
    /// --set) override the group options the files choose. The result may still hold `???` values.
    /// </summary>
    public ComposedConfig Compose(string primaryFile, IReadOnlyDictionary<string, GroupChoice>? choices = null)
    {
        var full = Path.GetFullPath(primaryFile);
        choices ??= new Dictionary<string, GroupChoice>();
        var key = full + "\n" + string.Join("\n", choices.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + c.Value.Option));
        if (_composed.TryGetValue(key, out var cached)) return cached;

        var state = new State();
        var tree = ComposeFile(full, [], primary: true, choices, state);
        foreach (var (group, choice) in choices)
            if (!state.Placed.Contains(group))
                throw new ConfigException(choice.Location,
                    $"'{group}' is not a config group of this experiment; its groups are {NameSuggestions.List(state.Placed.Order(StringComparer.Ordinal))}");
        var result = new ComposedConfig(tree, state.Chosen);
        _composed[key] = result;
        return result;
    }

    private ConfigMap ComposeFile(string file, string[] package, bool primary, IReadOnlyDictionary<string, GroupChoice> outer, State state)
    {
        if (state.Stack.Contains(file))
            throw new ConfigException(SourceLocation.None(file), $"defaults form a cycle: {string.Join(" -> ", state.Stack.Append(file))}");
        state.Stack.Add(file);
        var map = LoadFile(file);
        if (!primary)
            foreach (var reserved in ExperimentOnlyKeys)
                if (map.TryGetEntry(reserved, out var e))
                    throw new ConfigException(e.KeyLocation, $"'{reserved}:' belongs in the experiment file, not in a file it includes");
        var body = map.Without([DefaultsKey, .. ExperimentOnlyKeys]);
        var entries = ParseDefaults(map, allowGroups: package.Length == 0);

        // Choices made further out (the experiment over base, axes and --set over both) win.
        var inner = new Dictionary<string, GroupChoice>(outer, StringComparer.Ordinal);
        foreach (var entry in entries)
            if (entry.Group is { } g && entry.Option is { } option) inner.TryAdd(g, new GroupChoice(option, entry.Location));

        ConfigNode result = ConfigMap.Empty(map.Location);
        var selfMerged = false;
        foreach (var entry in entries)
        {
            if (entry.Name == SelfEntry)
            {
                result = ConfigPath.Merge(result, ConfigPath.Wrap(package, body));
                selfMerged = true;
            }
            else if (entry.Name is { } name)
            {
                result = ConfigPath.Merge(result, ComposeFile(ResolveFile(file, name, entry.Location), package, false, inner, state));
            }
            else if (entry.Group is { } group && state.Placed.Add(group))
            {
                // A group keeps the position of its first mention; an outer choice only changes the option.
                if (!inner.TryGetValue(group, out var choice)) continue; // `group: null`: no option
                if (choice.Option == "???")
                    throw new ConfigException(choice.Location, $"config group '{group}' needs a choice (from the sweep or --set {group}=OPTION); options: {NameSuggestions.List(Options(file, group))}");
                var groupFile = ResolveFile(file, Path.Combine(group, choice.Option), choice.Location, group);
                state.Chosen[group] = choice.Option;
                result = ConfigPath.Merge(result, ComposeFile(groupFile, group.Split('/'), false, inner, state));
            }
        }
        if (!selfMerged) result = ConfigPath.Merge(result, ConfigPath.Wrap(package, body));
        state.Stack.RemoveAt(state.Stack.Count - 1);
        return (ConfigMap)result;
    }

    private sealed record DefaultsEntry(string? Name, string? Group, string? Option, SourceLocation Location);

    private static List<DefaultsEntry> ParseDefaults(ConfigMap file, bool allowGroups)
    {
        var result = new List<DefaultsEntry>();
        if (!file.TryGetEntry(DefaultsKey, out var defaults)) return result;
        if (defaults.Value is not ConfigList list)
            throw new ConfigException(defaults.Value.Location, $"'defaults' must be a list, not {defaults.Value.Describe()}");
        var groups = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            switch (item)
            {
                case ConfigScalar { Kind: ScalarKind.String } s:
                    result.Add(new DefaultsEntry(s.Text, null, null, s.Location));
                    break;
                case ConfigMap { Count: 1 } m:
                    var e = m.Entries[0];
                    if (!allowGroups)
                        throw new ConfigException(e.KeyLocation, $"group entry '{e.Key}: ...' is allowed only in root-level files; a group file may name other files of its own group");
                    if (groups.TryGetValue(e.Key, out var first))
                        throw new ConfigException(e.KeyLocation, $"group '{e.Key}' is chosen twice in one defaults list (first at {first})");
                    groups[e.Key] = e.KeyLocation;
                    var option = e.Value switch
                    {
                        ConfigScalar { Kind: ScalarKind.Null } => null,
                        ConfigScalar { Kind: ScalarKind.Missing } => "???",
                        ConfigScalar { Kind: ScalarKind.String or ScalarKind.Int } s => s.Text,
                        var v => throw new ConfigException(v.Location, $"group '{e.Key}' must name an option file, not {v.Describe()}"),
                    };
                    result.Add(new DefaultsEntry(null, e.Key, option, e.Value.Location));
                    break;
                default:
                    throw new ConfigException(item.Location, $"a defaults entry is a file name (base) or a group choice (model: tiny), not {item.Describe()}");
            }
        }
        return result;
    }

    /// <summary>
    /// Finds <paramref name="relative"/> (.yaml/.yml optional) next to <paramref name="declaringFile"/> or in the
    /// nearest folder above it that has it, stopping at the repository root.
    /// </summary>
    private static string ResolveFile(string declaringFile, string relative, SourceLocation at, string? group = null)
    {
        var names = Path.HasExtension(relative) ? [relative] : new[] { relative + ".yaml", relative + ".yml" };
        var startDir = Path.GetDirectoryName(declaringFile)!;
        foreach (var dir in SearchDirectories(startDir))
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            }
        var message = $"no config file {names[0]} in {startDir} or the folders above it";
        if (group != null)
        {
            var options = Options(declaringFile, group);
            message += $"; options of group '{group}': {NameSuggestions.List(options)}";
            if (NameSuggestions.Nearest(Path.GetFileName(relative), options) is { } near) message += $"; did you mean '{near}'?";
        }
        throw new ConfigException(at, message);
    }

    private static IEnumerable<string> SearchDirectories(string startDir)
    {
        for (var dir = new DirectoryInfo(startDir); dir != null; dir = dir.Parent)
        {
            yield return dir.FullName;
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git"))) yield break;
        }
    }

    /// <summary>The option files of a group folder, from the nearest folder that has it.</summary>
    private static List<string> Options(string declaringFile, string group)
    {
        foreach (var dir in SearchDirectories(Path.GetDirectoryName(declaringFile)!))
        {
            var folder = Path.Combine(dir, group);
            if (Directory.Exists(folder))
                return Directory.EnumerateFiles(folder)
                    .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                    .Select(Path.GetFileNameWithoutExtension)
                    .OfType<string>()
                    .Order(StringComparer.Ordinal)
                    .ToList();
        }
        return [];
    }

    private sealed class State
    {
        public List<string> Stack { get; } = [];
        public HashSet<string> Placed { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, string> Chosen { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>A composed tree and the option chosen for each group.</summary>
public sealed record ComposedConfig(ConfigMap Tree, IReadOnlyDictionary<string, string> Choices);
