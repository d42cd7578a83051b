// Strict binding: unknown keys with suggestions, wrong types, enums, missing required keys, nullable and
// defaulted members, collections; every error at its file:line:column, all errors reported together.
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class BinderTests
{
    private static ConfigException BindError(string fixture) =>
        Assert.Throws<ConfigException>(() => ConfigFixtures.Expand(fixture).Cells[0].Bind<ExperimentConfig>());

    [Fact]
    public void An_unknown_key_lists_the_valid_keys_and_suggests_the_nearest()
    {
        var e = BindError("errors/unknown_key.yaml");
        ConfigFixtures.AssertAt(e, ConfigFixtures.Path("errors/unknown_key.yaml"), 3, 3,
            "unknown key 'train.stpes'; valid keys in 'train': lr, steps, batch_size, warmup; did you mean 'steps'?");
    }

    [Fact]
    public void Every_wrong_type_is_reported_at_once()
    {
        var file = ConfigFixtures.Path("errors/wrong_type.yaml");
        var e = BindError("errors/wrong_type.yaml");
        Assert.True(e.Errors.Count == 2, e.Message);
        Assert.Equal($"{file}:3:10: 'train.steps': expected an integer, got the string 'many'", e.Errors[0].ToString());
        Assert.Equal($"{file}:4:7: 'train.lr': expected a number, got the string 'fast'", e.Errors[1].ToString());
    }

    [Fact]
    public void An_invalid_enum_value_lists_the_valid_names()
    {
        var e = BindError("errors/bad_enum.yaml");
        ConfigFixtures.AssertAt(e, ConfigFixtures.Path("errors/bad_enum.yaml"), 3, 13, "'loss.strategy': 'sdl' is not one of lm, mce, sld; did you mean 'sld'?");
    }

    [Fact]
    public void A_missing_required_key_names_the_mapping()
    {
        var file = ConfigFixtures.Path("errors/model_missing_key.yaml");
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<ModelConfig>(ConfigYaml.LoadFile(file)));
        Assert.Equal(2, e.Errors.Count);
        ConfigFixtures.AssertAt(e, file, 1, 1, "missing required key 'd_model' (Int32)");
        Assert.Contains("missing required key 'heads'", e.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enums_match_case_insensitively_and_in_snake_case()
    {
        Assert.Equal(KlForm.Paper, ConfigBinder.Bind<LossConfig>(ConfigYaml.Parse("strategy: SLD\nalpha: 1\neps: 0\nkl_form: Paper", "f")).KlForm);
        Assert.Equal(LossStrategy.Mce, ConfigBinder.Bind<LossConfig>(ConfigYaml.Parse("strategy: mce\nalpha: 1\neps: 0", "f")).Strategy);
    }

    [Fact]
    public void Nullable_members_may_be_absent_or_null_and_non_nullable_ones_may_not_be_null()
    {
        var t = ConfigBinder.Bind<TokenizerConfig>(ConfigYaml.Parse("kind: spm\nk: null", "f"));
        Assert.Equal(new TokenizerConfig("spm"), t);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<TokenizerConfig>(ConfigYaml.Parse("kind: null", "f")));
        ConfigFixtures.AssertAt(e, "f", 1, 7, "'kind': must not be null (expected String)");
    }

    [Fact]
    public void Integers_bind_to_doubles_but_not_the_reverse_and_ranges_are_checked()
    {
        var m = ConfigBinder.Bind<ModelConfig>(ConfigYaml.Parse("size: s\nlayers: 2\nd_model: 8\nheads: 1\ndropout: 1", "f"));
        Assert.Equal(1.0, m.Dropout);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<ModelConfig>(ConfigYaml.Parse("size: s\nlayers: 2.5\nd_model: 3000000000\nheads: 1", "f")));
        Assert.Equal("f:2:9: 'layers': expected an integer, got the number 2.5", e.Errors[0].ToString());
        Assert.Equal("f:3:10: 'd_model': 3000000000 is out of range [-2147483648, 2147483647]", e.Errors[1].ToString());
    }

    public sealed record Collections(int[] Sizes, Dictionary<string, double> Weights, IReadOnlyDictionary<string, ModelConfig>? Models = null);

    [Fact]
    public void Arrays_dictionaries_and_nested_records_bind_with_element_positions()
    {
        var c = ConfigBinder.Bind<Collections>(ConfigYaml.Parse("sizes: [1, 2]\nweights: {ce: 1, kl: 0.5}\nmodels: {a: {size: s, layers: 1, d_model: 2, heads: 1}}", "f"));
        Assert.Equal([1, 2], c.Sizes);
        Assert.Equal(0.5, c.Weights["kl"]);
        Assert.Equal(2, c.Models!["a"].DModel);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<Collections>(ConfigYaml.Parse("sizes: [1, x]\nweights: {ce: [1]}", "f")));
        Assert.Equal("f:1:12: 'sizes[1]': expected an integer, got the string 'x'", e.Errors[0].ToString());
        Assert.Equal("f:2:15: 'weights.ce': expected a number, got a list of 1", e.Errors[1].ToString());
    }

    public sealed record WithRequiredInit(string Name)
    {
        public required int Count { get; init; }
        public string Note { get; init; } = "none";
    }

    [Fact]
    public void Init_properties_bind_keep_their_initialisers_and_honour_required()
    {
        var r = ConfigBinder.Bind<WithRequiredInit>(ConfigYaml.Parse("name: a\ncount: 3", "f"));
        Assert.Equal(3, r.Count);
        Assert.Equal("none", r.Note);
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<WithRequiredInit>(ConfigYaml.Parse("name: a\nnote: x", "f")));
        ConfigFixtures.AssertAt(e, "f", 1, 1, "missing required key 'count' (Int32)");
    }

    [Theory]
    [InlineData("LearningRate", "learning_rate")]
    [InlineData("DModel", "d_model")]
    [InlineData("KlForm", "kl_form")]
    [InlineData("Fp16", "fp16")]
    [InlineData("HTTPServer", "http_server")]
    [InlineData("Layer23Output", "layer23_output")]
    public void Pascal_case_members_are_snake_case_keys(string pascal, string snake) =>
        Assert.Equal(snake, ConfigBinder.SnakeCase(pascal));
}
