// Where a config value came from: a YAML file (or "--set" for command-line overrides) with 1-based line and
// column. Every error the config machinery raises names one, so a researcher can jump straight to the cause.
namespace Sld.Bench.Shared.Config;

public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>For values that no file declared (defaults of a record, synthesised nodes).</summary>
    public static SourceLocation None(string what) => new(what, 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
