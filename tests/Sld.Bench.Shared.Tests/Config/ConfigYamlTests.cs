// YAML reading (core-schema scalar types, positions, anchors, duplicate keys), canonical JSON and hashes.
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class ConfigYamlTests
{
    [Theory]
    [InlineData("42", ScalarKind.Int)]
    [InlineData("-7", ScalarKind.Int)]
    [InlineData("0x1F", ScalarKind.Int)]
    [InlineData("3e-4", ScalarKind.Float)]
    [InlineData("1.5", ScalarKind.Float)]
    [InlineData(".inf", ScalarKind.Float)]
    [InlineData("true", ScalarKind.Bool)]
    [InlineData("False", ScalarKind.Bool)]
    [InlineData("yes", ScalarKind.String)]
    [InlineData("on", ScalarKind.String)]
    [InlineData("~", ScalarKind.Null)]
    [InlineData("null", ScalarKind.Null)]
    [InlineData("???", ScalarKind.Missing)]
    [InlineData("sld", ScalarKind.String)]
    [InlineData("99999999999999999999", ScalarKind.Float)]
    public void Plain_scalars_follow_the_yaml_1_2_core_schema(string text, ScalarKind kind) =>
        Assert.Equal(kind, ConfigYaml.ResolvePlain(text));

    [Fact]
    public void Quoted_scalars_are_strings_and_nodes_keep_line_and_column()
    {
        var root = (ConfigMap)ConfigYaml.Parse("a: '42'\nb:\n  c: [1, \"???\"]\n", "f.yaml");
        var a = (ConfigScalar)root["a"]!;
        Assert.Equal(ScalarKind.String, a.Kind);
        Assert.Equal(new SourceLocation("f.yaml", 1, 4), a.Location);
        var c = (ConfigList)((ConfigMap)root["b"]!)["c"]!;
        Assert.Equal(new SourceLocation("f.yaml", 3, 6), c.Location);
        Assert.Equal(ScalarKind.Int, ((ConfigScalar)c.Items[0]).Kind);
        Assert.Equal(ScalarKind.String, ((ConfigScalar)c.Items[1]).Kind);
        Assert.Equal(new SourceLocation("f.yaml", 3, 10), c.Items[1].Location);
        Assert.True(root.TryGetEntry("b", out var b));
        Assert.Equal(new SourceLocation("f.yaml", 2, 1), b.KeyLocation);
    }

    [Fact]
    public void Anchors_and_aliases_share_values()
    {
        var root = (ConfigMap)ConfigYaml.Parse("x: &lr 0.001\ny: *lr\n", "f.yaml");
        Assert.Equal(0.001, ((ConfigScalar)root["y"]!).FloatValue);
    }

    [Fact]
    public void A_duplicate_key_names_both_positions()
    {
        var file = ConfigFixtures.Path("errors/duplicate_key.yaml");
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.LoadFile(file));
        ConfigFixtures.AssertAt(e, file, 4, 3, $"duplicate key 'lr' (first at {file}:3:3)");
    }

    [Fact]
    public void Invalid_yaml_is_reported_at_its_position()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigYaml.Parse("a: [1, 2\nb: 3\n", "bad.yaml"));
        Assert.StartsWith("bad.yaml:", e.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", e.Message, StringComparison.Ordinal);
        Assert.True(e.Location.Line >= 1);
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(3e-4, "0.0003")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(123456789012.5, "123456789012.5")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(-0.1, "-0.1")]
    [InlineData(100.0, "100")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    public void Numbers_are_written_the_ecmascript_way(double value, string expected) =>
        Assert.Equal(expected, CanonicalJson.FormatDouble(value));

    [Fact]
    public void Canonical_json_sorts_keys_normalises_numbers_and_escapes_strings()
    {
        var node = ConfigYaml.Parse("b: 1.0\na: {z: 3e-4, y: [true, null, \"q\\\"uote\\n\"]}\nc: 7\n", "f.yaml");
        Assert.Equal("{\"a\":{\"y\":[true,null,\"q\\\"uote\\n\"],\"z\":0.0003},\"b\":1,\"c\":7}", CanonicalJson.Write(node));
    }

    [Fact]
    public void Equal_configs_written_differently_hash_equal_and_a_changed_value_does_not()
    {
        var a = ConfigYaml.Parse("lr: 0.0003\nmodel: {layers: 2, d: 64}\n", "a.yaml");
        var b = ConfigYaml.Parse("model:\n  d: 64.0\n  layers: 2\nlr: 3e-4\n", "b.yaml");
        var c = ConfigYaml.Parse("lr: 0.0003\nmodel: {layers: 3, d: 64}\n", "c.yaml");
        Assert.Equal(ConfigHash.Of(a), ConfigHash.Of(b));
        Assert.NotEqual(ConfigHash.Of(a), ConfigHash.Of(c));
        Assert.Equal(ConfigHash.Length, ConfigHash.Of(a).Length);
        Assert.Matches("^[0-9a-f]{16}$", ConfigHash.Of(a));
    }

    [Fact]
    public void Canonical_json_reads_back_to_the_same_canonical_json()
    {
        var node = ConfigYaml.Parse("s: \"tab\\there\"\nn: [1, 2.5, -3e-9]\nm: {k: null}\n", "f.yaml");
        var json = CanonicalJson.Write(node);
        Assert.Equal(json, CanonicalJson.Write(ConfigYaml.Parse(json, "db")));
    }

    [Fact]
    public void Section_hashes_depend_only_on_their_sections()
    {
        var a = ConfigYaml.Parse("data: {root: x}\nloss: {alpha: 1}\n", "a.yaml");
        var b = ConfigYaml.Parse("data: {root: x}\nloss: {alpha: 2}\n", "b.yaml");
        Assert.Equal(ConfigHash.OfSections(a, "data"), ConfigHash.OfSections(b, "data"));
        Assert.NotEqual(ConfigHash.OfSections(a, "data", "loss"), ConfigHash.OfSections(b, "data", "loss"));
        Assert.Equal("{\"data\":{\"root\":\"x\"},\"loss.alpha\":1}", ConfigHash.SectionsJson(a, "loss.alpha", "data"));
        Assert.Throws<KeyNotFoundException>(() => ConfigHash.OfSections(a, "features"));
    }
}
