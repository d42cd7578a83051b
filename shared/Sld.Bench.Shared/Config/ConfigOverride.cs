// One `--set key=value` from the command line: a dotted key and a YAML value (scalar, [list] or {map}),
// parsed with the same rules as the files. A bare group name (`--set model=small`) chooses a group option.
// Its location is "--set", line = the override's position (1-based), column = the column within "key=value".
using System.Text.RegularExpressions;

namespace Sld.Bench.Shared.Config;

public sealed partial record ConfigOverride(string Key, SourceLocation KeyLocation, ConfigNode Value, string Text)
{
    public const string Source = "--set";

    public IReadOnlyList<string> Path => ConfigPath.Split(Key);

    /// <summary>Parses "key=value"; <paramref name="ordinal"/> is its 1-based position among the overrides.</summary>
    public static ConfigOverride Parse(string text, int ordinal)
    {
        var eq = text.IndexOf('=');
        var keyLocation = new SourceLocation(Source, ordinal, 1);
        if (eq <= 0)
            throw new ConfigException(keyLocation, $"an override is key=value (e.g. train.lr=3e-4), not '{text}'");
        var key = text[..eq];
        if (!KeyPattern().IsMatch(key))
            throw new ConfigException(keyLocation, $"'{key}' is not a dotted key of snake_case names (e.g. loss.alpha)");
        var value = ConfigYaml.Parse(text[(eq + 1)..], Source, columnOffset: eq + 1, line: ordinal);
        // An empty value parses as an empty document; `key=` means null, as `key:` would in a file.
        if (text.Length == eq + 1) value = ConfigScalar.Null(new SourceLocation(Source, ordinal, eq + 2));
        return new ConfigOverride(key, keyLocation, value, text);
    }

    public static IReadOnlyList<ConfigOverride> ParseAll(IEnumerable<string> texts) =>
        texts.Select((t, i) => Parse(t, i + 1)).ToList();

    [GeneratedRegex(@"^[A-Za-z0-9_\-/]+(\.[A-Za-z0-9_\-]+)*$")]
    private static partial Regex KeyPattern();
}
