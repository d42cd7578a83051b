// What expanding a sweep yields: its axes (for `sweep plan` and the dashboard's pivots) and its cells, each
// with its axis values, fully resolved config, canonical JSON and a hash that identifies the cell across runs,
// processes and machines. The results store keys cells by that hash, so re-planning never duplicates work.
namespace Sld.Bench.Shared.Config;

public enum SweepAxisKind
{
    Grid,
    Zip,
    Seed,
}

/// <summary>A declared axis. Values are display strings (strings bare, everything else canonical JSON).</summary>
public sealed record SweepAxis(
    string Name,
    SweepAxisKind Kind,
    IReadOnlyList<string> Values,
    bool IsGroupChoice,
    int? ZipGroup,
    string? Condition,
    SourceLocation Location);

/// <summary>The value one axis takes in one cell.</summary>
public sealed record AxisValue(string Axis, ConfigNode Value, bool IsGroupChoice)
{
    /// <summary>Canonical JSON of the value ("sld", 0.004, [1,2]).</summary>
    public string Json { get; } = CanonicalJson.Write(Value);

    /// <summary>Strings without quotes, everything else as canonical JSON: "sld", "0.004".</summary>
    public string Display => ConditionTerm.Display(Value);

    /// <summary>The value as a number, for sorting and plotting; null for non-numbers.</summary>
    public double? Number => Value is ConfigScalar { IsNumber: true } s ? s.NumberValue : null;

    public override string ToString() => $"{Axis}={Display}";
}

public sealed class SweepCell
{
    internal SweepCell(int index, IReadOnlyList<AxisValue> assignments, ConfigMap config, IReadOnlyDictionary<string, string> groupChoices, bool hasSeed)
    {
        Index = index;
        Assignments = assignments;
        Config = config;
        GroupChoices = groupChoices;
        CanonicalJson = global::Sld.Bench.Shared.Config.CanonicalJson.Write(config);
        Hash = ConfigHash.OfText(CanonicalJson);
        Seed = hasSeed && config["seed"] is ConfigScalar { Kind: ScalarKind.Int } s ? s.IntValue : null;
        SettingHash = hasSeed ? ConfigHash.Of(config.Without(SweepDefinition.SeedKey)) : Hash;
    }

    /// <summary>Position in the plan (grid order: first axis outermost, seeds innermost).</summary>
    public int Index { get; }

    /// <summary>The value of every axis that applies to this cell, in axis order (conditional axes only where they apply).</summary>
    public IReadOnlyList<AxisValue> Assignments { get; }

    /// <summary>The fully resolved config: no `???` left.</summary>
    public ConfigMap Config { get; }

    /// <summary>Which option each config group resolved to (model -> tiny).</summary>
    public IReadOnlyDictionary<string, string> GroupChoices { get; }

    public string CanonicalJson { get; }

    /// <summary>SHA-256 prefix of <see cref="CanonicalJson"/>: the cell's identity.</summary>
    public string Hash { get; }

    /// <summary>The hash of the config without its seed: cells that differ only by seed share it (mean +- std over seeds).</summary>
    public string SettingHash { get; }

    public long? Seed { get; }

    /// <summary>The hash of some sections only (e.g. "data", "features", "tokenizer"), to share a stage's output between cells.</summary>
    public string HashOf(params string[] sections) => ConfigHash.OfSections(Config, sections);

    /// <summary>Binds the resolved config to a sealed record; errors name the file, line and column of the value.</summary>
    public T Bind<T>() => ConfigBinder.Bind<T>(Config);

    public string Describe() => Assignments.Count == 0 ? "(single run)" : string.Join(" ", Assignments);

    public override string ToString() => $"#{Index} {Hash} {Describe()}";
}

public sealed class SweepPlan
{
    internal SweepPlan(string name, string file, IReadOnlyList<string> overrides, IReadOnlyList<SweepAxis> axes, IReadOnlyList<SweepCell> cells)
    {
        Name = name;
        File = file;
        Overrides = overrides;
        Axes = axes;
        Cells = cells;
        PlanHash = ConfigHash.OfText(string.Join("\n", cells.Select(c => c.Hash).Order(StringComparer.Ordinal)));
    }

    /// <summary>The sweep's name: `sweep.name`, or the experiment file's name without extension.</summary>
    public string Name { get; }

    /// <summary>Full path of the experiment file.</summary>
    public string File { get; }

    /// <summary>The --set overrides as given.</summary>
    public IReadOnlyList<string> Overrides { get; }

    public IReadOnlyList<SweepAxis> Axes { get; }

    public IReadOnlyList<SweepCell> Cells { get; }

    /// <summary>The hash of the set of cell hashes: equal plans have equal plan hashes whatever their order.</summary>
    public string PlanHash { get; }

    public SweepCell? FindCell(string hash) => Cells.FirstOrDefault(c => c.Hash == hash);
}
