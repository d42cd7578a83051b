// YAML written to hurt: alias bombs, deep nesting, invalid UTF-8, tab indentation and unterminated flow
// collections must each end in one ConfigException at file:line:column, quickly, never a crash of the process.
using System.Diagnostics;
using System.Text;
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class HostileYamlTests
{
    [Fact]
    public void A_billion_laughs_alias_bomb_is_refused_at_the_alias_that_overflows()
    {
        // 376 bytes: nine levels of nine aliases each, 9^9 scalars once expanded.
        var yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            yaml.Append($"{level}: &{level} [{string.Join(",", Enumerable.Repeat("*" + previous, 9))}]\n");
        }
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse(yaml.ToString(), "bomb.yaml"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Contains("aliases are expanded", e.Message, StringComparison.Ordinal);
        Assert.Equal("bomb.yaml", e.Location.File);
        Assert.InRange(e.Location.Line, 5, 9); // the level where the expanded size passes the limit, not line 1
    }

    [Fact]
    public void Aliases_within_the_limit_still_work()
    {
        var root = (ConfigMap)ConfigYaml.Parse("a: &a [1, 2, 3]\nb: &b [*a, *a, *a]\nc: [*b, *b]\n", "f.yaml");
        Assert.Equal(2, ((ConfigList)root["c"]!).Items.Count);
    }

    [Theory]
    [InlineData('[', ']')]
    [InlineData('{', '}')]
    public void Deep_nesting_is_an_error_not_a_stack_overflow(char open, char close)
    {
        var text = open == '['
            ? new string('[', 20_000) + new string(']', 20_000)
            : "a: " + string.Concat(Enumerable.Repeat("{a: ", 20_000)) + "1" + new string('}', 20_000);
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse(text, "deep.yaml"));
        Assert.Contains($"more than {ConfigYaml.MaxDepth} levels", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Location.Line);
        Assert.True(e.Location.Column > ConfigYaml.MaxDepth, e.Message);
        Assert.Equal(close, text[^1]);
    }

    [Fact]
    public void Unterminated_nesting_deeper_than_the_limit_is_still_a_clear_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse(new string('[', 20_000), "open.yaml"));
        Assert.StartsWith("open.yaml:1:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_at_its_line_and_column_not_a_replacement_character()
    {
        using var dir = new TempFolder();
        var path = Path.Combine(dir.Path, "latin1.yaml");
        // "name: caf\xE9" in Latin-1 on line 2, column 10.
        File.WriteAllBytes(path, [.. "seed: 0\nname: caf"u8.ToArray(), 0xE9, (byte)'\n']);
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.LoadFile(path));
        Assert.StartsWith($"{path}:2:10: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
        Assert.Contains("0xE9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_and_multibyte_characters_are_accepted()
    {
        using var dir = new TempFolder();
        var path = Path.Combine(dir.Path, "bom.yaml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "name: café ✓\n"u8.ToArray()]);
        Assert.Equal("café ✓", ((ConfigScalar)((ConfigMap)ConfigYaml.LoadFile(path))["name"]!).Text);
    }

    [Fact]
    public void A_tab_in_the_indentation_is_reported_on_its_own_line()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse("seed: 0\ntrain:\n  lr: 1\n\tsteps: 3\n", "tabs.yaml"));
        Assert.StartsWith("tabs.yaml:4:", e.Message, StringComparison.Ordinal);
        Assert.Contains("tabs", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed: 0\ntrain: {lr: 1, steps: 3\n", "'{'", 2, 8)]
    [InlineData("seed: 0\naxis: [1, 2\n", "'['", 2, 7)]
    [InlineData("seed: 0 # a {comment\ntrain: {\n", "'{'", 2, 8)]
    [InlineData("{a: 1", "'{'", 1, 1)]
    public void An_unterminated_flow_collection_names_the_bracket_that_was_never_closed(string text, string bracket, int line, int column)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse(text, "open.yaml"));
        Assert.StartsWith($"open.yaml:{line}:{column}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(bracket, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("current state of the object", e.Message, StringComparison.Ordinal);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("sldbench-yaml-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
