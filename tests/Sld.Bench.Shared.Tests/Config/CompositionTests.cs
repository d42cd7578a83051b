// Composition of base + group files + experiment deltas + --set overrides, `???` handling, and strict binding
// of the composed tree to typed records.
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class CompositionTests
{
    [Fact]
    public void Defaults_groups_and_deltas_compose_in_order()
    {
        var plan = ConfigFixtures.Expand("single.yaml");
        var cell = Assert.Single(plan.Cells);
        Assert.Empty(cell.Assignments);
        var config = cell.Bind<ExperimentConfig>();
        // model: small (outer choice) over base's tiny; small.yaml builds on tiny.yaml (heads, dropout)
        Assert.Equal(new ModelConfig("small", 4, 128, 2, 0.1), config.Model);
        Assert.Equal(1e-4, config.Train.Lr);
        Assert.Equal(100, config.Train.Steps);
        Assert.Equal(10, config.Train.Warmup); // the record's default
        Assert.Equal(new LossConfig(LossStrategy.Lm, 0.0, 0.1, KlForm.Code), config.Loss);
        Assert.Equal(["dev", "test"], config.Data.TestSets);
        Assert.Equal("small", cell.GroupChoices["model"]);
        Assert.Equal("kmeans", cell.GroupChoices["tokenizer"]);
        Assert.Equal("single", plan.Name);
    }

    [Fact]
    public void The_group_keeps_its_position_in_base_when_the_experiment_overrides_the_choice()
    {
        var tree = ExperimentFile.Load(ConfigFixtures.Path("single.yaml")).Compose();
        Assert.Equal(["model", "tokenizer", "loss", "data", "seed", "train"], tree.Keys.ToList());
    }

    [Fact]
    public void Set_overrides_values_and_group_choices_with_yaml_values()
    {
        var cell = Assert.Single(ConfigFixtures.Expand("single.yaml", "train.steps=5", "model=tiny", "data.test_sets=[a, b, c]", "loss=sld").Cells);
        var config = cell.Bind<ExperimentConfig>();
        Assert.Equal(5, config.Train.Steps);
        Assert.Equal("tiny", config.Model.Size);
        Assert.Equal(["a", "b", "c"], config.Data.TestSets);
        Assert.Equal(LossStrategy.Sld, config.Loss.Strategy);
        Assert.Equal(KlForm.Paper, config.Loss.KlForm);
    }

    [Fact]
    public void Set_values_carry_the_override_position()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigFixtures.Expand("single.yaml", "train.lr=0.1", "train.steps=lots").Cells[0].Bind<ExperimentConfig>());
        ConfigFixtures.AssertAt(e, "--set", 2, 13, "'train.steps': expected an integer, got the string 'lots'");
    }

    [Fact]
    public void Set_on_an_unknown_key_suggests_the_nearest()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigFixtures.Expand("single.yaml", "train.stepz=5"));
        ConfigFixtures.AssertAt(e, "--set", 1, 1, "--set 'train.stepz' names no key in the config: in 'train' the keys are lr, steps, batch_size; did you mean 'train.steps'?");
    }

    [Theory]
    [InlineData("train.lr")]
    [InlineData("=3")]
    [InlineData("train..lr=3")]
    public void Malformed_overrides_are_rejected(string text)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigOverride.Parse(text, 3));
        Assert.Equal(new SourceLocation("--set", 3, 1), e.Location);
    }

    [Fact]
    public void An_unresolved_required_value_names_where_it_was_declared()
    {
        var file = ConfigFixtures.Path("librispeech.yaml");
        var e = Assert.Throws<ConfigException>(() => ConfigFixtures.Expand("librispeech.yaml"));
        ConfigFixtures.AssertAt(e, ConfigFixtures.Path("data/librispeech.yaml"), 2, 7, "required value 'data.root' (???) was not given");
        var cell = Assert.Single(ExperimentFile.Load(file).Expand(ConfigOverride.ParseAll(["data.root=/corpora/ls"])).Cells);
        Assert.Equal("/corpora/ls", cell.Bind<ExperimentConfig>().Data.Root);
        Assert.Equal("librispeech", cell.GroupChoices["data"]);
    }

    [Fact]
    public void A_group_marked_required_needs_a_choice()
    {
        var file = ConfigFixtures.Path("errors/group_needs_choice.yaml");
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(file).Expand());
        ConfigFixtures.AssertAt(e, file, 3, 16, "config group 'tokenizer' needs a choice (from the sweep or --set tokenizer=OPTION); options: kmeans, spm");
        var cell = Assert.Single(ExperimentFile.Load(file).Expand(ConfigOverride.ParseAll(["tokenizer=spm"])).Cells);
        Assert.Equal(500, cell.Bind<ExperimentConfig>().Tokenizer.VocabSize);
    }

    [Fact]
    public void An_unknown_group_option_lists_the_options()
    {
        var file = ConfigFixtures.Path("errors/bad_group.yaml");
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(file).Expand());
        ConfigFixtures.AssertAt(e, file, 3, 12, "options of group 'model': small, tiny");
    }

    [Fact]
    public void Set_on_a_name_that_is_not_a_group_or_key_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigFixtures.Expand("single.yaml", "optimizer=adam"));
        ConfigFixtures.AssertAt(e, "--set", 1, 1, "--set 'optimizer' names no key in the config");
    }
}
