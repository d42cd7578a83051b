// Every sweep definition error names the file, line and column of its cause: unknown axis keys, empty axes
// and ranges, unequal zips, conditions that never hold or name no key, overlapping or duplicate axes,
// identical cells, and --set overrides that fight an axis.
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class SweepErrorTests
{
    private static void AssertExpandFails(string fixture, int line, int column, string text)
    {
        var file = ConfigFixtures.Path(fixture);
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(file).Expand());
        ConfigFixtures.AssertAt(e, file, line, column, text);
    }

    [Fact]
    public void An_axis_over_a_key_that_does_not_exist_suggests_the_nearest() =>
        AssertExpandFails("errors/axis_unknown.yaml", 4, 5,
            "sweep axis 'loss.alhpa' names no key in the config: in 'loss' the keys are strategy, alpha, eps; did you mean 'loss.alpha'?");

    [Fact]
    public void An_empty_axis_is_an_empty_grid() =>
        AssertExpandFails("errors/empty_axis.yaml", 5, 15, "axis 'train.lr' has no values: an empty axis would make an empty grid");

    [Fact]
    public void An_empty_range_is_an_empty_grid() =>
        AssertExpandFails("errors/empty_range.yaml", 4, 19, "axis 'model.layers': the range from 4 to 1 by 1 is empty (stop is exclusive)");

    [Fact]
    public void Zipped_axes_need_equal_lengths() =>
        AssertExpandFails("errors/zip_lengths.yaml", 5, 7,
            "zip group: 'train.lr' has 3 values but 'model.layers' (at " + ConfigFixtures.Path("errors/zip_lengths.yaml") + ":4:7) has 2");

    [Fact]
    public void A_condition_that_holds_in_no_cell_is_reported() =>
        AssertExpandFails("errors/condition_never.yaml", 6, 11, "the condition loss.strategy == sdl holds in no cell, so loss.alpha would never be swept");

    [Fact]
    public void A_condition_on_a_key_that_does_not_exist_suggests_the_nearest() =>
        AssertExpandFails("errors/condition_unknown_key.yaml", 7, 14,
            "condition key 'loss.stratgy' names no key in the config: in 'loss' the keys are strategy, alpha, eps; did you mean 'loss.strategy'?");

    [Fact]
    public void Overlapping_conditions_on_one_key_are_reported_with_both_axes() =>
        AssertExpandFails("errors/overlapping_conditions.yaml", 11, 9,
            $"'loss.alpha' is also swept by the axis at {ConfigFixtures.Path("errors/overlapping_conditions.yaml")}:8:9 in the cell loss.strategy=sld");

    [Fact]
    public void A_key_swept_twice_names_both_places() =>
        AssertExpandFails("errors/duplicate_axis.yaml", 6, 7, $"'train.lr' is swept twice (first at {ConfigFixtures.Path("errors/duplicate_axis.yaml")}:4:5)");

    [Fact]
    public void Cells_with_identical_configs_are_reported() =>
        AssertExpandFails("errors/same_config.yaml", 3, 3, "cells #0 (model.dropout=0.1) and #2 (model.dropout=0.1) resolve to the same config");

    [Fact]
    public void A_typo_in_the_sweep_block_suggests_the_key() =>
        AssertExpandFails("errors/sweep_typo.yaml", 3, 3, "unknown key 'grdi' in the sweep block; valid keys: name, grid, zip, when, seeds; did you mean 'grid'?");

    [Fact]
    public void Seeds_need_a_seed_key() =>
        AssertExpandFails("errors/seeds_without_key.yaml", 3, 3, "seeds: sets the top-level key 'seed', which the config does not have");

    [Fact]
    public void Set_on_a_swept_key_is_refused_at_the_override()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigFixtures.Expand("conditional.yaml", "train.steps=3", "loss.alpha=0.1"));
        ConfigFixtures.AssertAt(e, "--set", 2, 1,
            $"--set loss.alpha would override the sweep axis 'loss.alpha' declared at {ConfigFixtures.Path("conditional.yaml")}:6:5 in every cell");
        var parent = Assert.Throws<ConfigException>(() => ConfigFixtures.Expand("grid.yaml", "train={lr: 1}"));
        Assert.Contains("would override the sweep axis 'train.lr'", parent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_arguments_must_be_numbers()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(Write("sweep:\n  grid:\n    a: range(x, 3)\n")).Expand());
        Assert.Equal(3, e.Location.Line);
        Assert.Contains("range takes 1 to 3 numbers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_with_a_step_of_zero_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(Write("a: 1\nsweep:\n  grid:\n    a: {start: 0, stop: 1, step: 0}\n")).Expand());
        Assert.Equal((4, 8), (e.Location.Line, e.Location.Column));
        Assert.Contains("a range's step must not be 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_zip_of_one_key_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(Write("a: 1\nsweep:\n  zip:\n    - a: [1, 2]\n")).Expand());
        Assert.Equal((4, 7), (e.Location.Line, e.Location.Column));
        Assert.Contains("a zip group pairs at least two keys", e.Message, StringComparison.Ordinal);
    }

    private static string Write(string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("sld-config-");
        var path = Path.Combine(dir.FullName, "exp.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
