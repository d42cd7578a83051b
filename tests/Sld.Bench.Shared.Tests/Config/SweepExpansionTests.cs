// Sweep expansion: grid axes (lists, range strings, range mappings), seeds, zip groups, conditional axes in
// both syntaxes, group-choice axes, the cell order, and the hashes that identify cells and shared stages.
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class SweepExpansionTests
{
    private static string Axes(SweepCell c) => c.Describe();

    [Fact]
    public void A_grid_is_the_product_of_its_axes_with_seeds_innermost()
    {
        var plan = ConfigFixtures.Expand("grid.yaml");
        Assert.Equal("grid_demo", plan.Name);
        Assert.Equal(3 * 3 * 3 * 2, plan.Cells.Count);
        Assert.Equal("loss.strategy=lm model.layers=1 train.lr=0.1 seed=0", Axes(plan.Cells[0]));
        Assert.Equal("loss.strategy=lm model.layers=1 train.lr=0.1 seed=1", Axes(plan.Cells[1]));
        Assert.Equal("loss.strategy=lm model.layers=1 train.lr=0.2 seed=0", Axes(plan.Cells[2]));
        Assert.Equal("loss.strategy=sld model.layers=3 train.lr=0.3 seed=1", Axes(plan.Cells[^1]));
        Assert.Equal(Enumerable.Range(0, 54), plan.Cells.Select(c => c.Index));
        Assert.Equal(54, plan.Cells.Select(c => c.Hash).Distinct().Count());

        var last = plan.Cells[^1].Bind<ExperimentConfig>();
        Assert.Equal((LossStrategy.Sld, 3, 0.3, 1), (last.Loss.Strategy, last.Model.Layers, last.Train.Lr, last.Seed));
        Assert.Equal(["0.1", "0.2", "0.3"], plan.Axes.Single(a => a.Name == "train.lr").Values);
        Assert.Equal(SweepAxisKind.Seed, plan.Axes[^1].Kind);
    }

    [Fact]
    public void Cells_that_differ_only_by_seed_share_a_setting_hash()
    {
        var plan = ConfigFixtures.Expand("grid.yaml");
        Assert.Equal(27, plan.Cells.Select(c => c.SettingHash).Distinct().Count());
        Assert.Equal(plan.Cells[0].SettingHash, plan.Cells[1].SettingHash);
        Assert.NotEqual(plan.Cells[0].Hash, plan.Cells[1].Hash);
        Assert.Equal([0L, 1L], plan.Cells.Take(2).Select(c => c.Seed!.Value));
    }

    [Fact]
    public void Hashes_are_stable_across_loads_and_identify_the_resolved_config()
    {
        var a = ConfigFixtures.Expand("grid.yaml");
        var b = ConfigFixtures.Expand("grid.yaml");
        Assert.Equal(a.Cells.Select(c => c.Hash), b.Cells.Select(c => c.Hash));
        Assert.Equal(a.PlanHash, b.PlanHash);
        Assert.Equal(ConfigHash.OfText(a.Cells[5].CanonicalJson), a.Cells[5].Hash);
        var moved = ConfigFixtures.Expand("grid.yaml", "train.batch_size=16");
        Assert.Empty(moved.Cells.Select(c => c.Hash).Intersect(a.Cells.Select(c => c.Hash)));
        Assert.NotEqual(a.PlanHash, moved.PlanHash);
    }

    [Fact]
    public void Zip_groups_vary_together_including_group_choices()
    {
        var plan = ConfigFixtures.Expand("zip.yaml");
        Assert.Equal(
            ["loss.strategy=lm model=tiny train.lr=0.0003", "loss.strategy=lm model=small train.lr=0.0001",
             "loss.strategy=sld model=tiny train.lr=0.0003", "loss.strategy=sld model=small train.lr=0.0001"],
            plan.Cells.Select(Axes));
        var smallSld = plan.Cells[3].Bind<ExperimentConfig>();
        Assert.Equal((128, 1e-4, KlForm.Code), (smallSld.Model.DModel, smallSld.Train.Lr, smallSld.Loss.KlForm));
        Assert.True(plan.Cells[3].Assignments.Single(a => a.Axis == "model").IsGroupChoice);
        Assert.Equal([1, 1], plan.Axes.Where(a => a.Kind == SweepAxisKind.Zip).Select(a => a.ZipGroup!.Value));
    }

    [Fact]
    public void Conditional_axes_apply_only_where_their_condition_holds()
    {
        var plan = ConfigFixtures.Expand("conditional.yaml");
        Assert.Equal(
        [
            "loss.strategy=lm tokenizer.assignment=hard",
            "loss.strategy=lm tokenizer.assignment=soft tokenizer.tau=8",
            "loss.strategy=lm tokenizer.assignment=soft tokenizer.tau=13.5",
            "loss.strategy=mce tokenizer.assignment=hard",
            "loss.strategy=mce tokenizer.assignment=soft tokenizer.tau=8",
            "loss.strategy=mce tokenizer.assignment=soft tokenizer.tau=13.5",
            "loss.strategy=sld tokenizer.assignment=hard loss.alpha=0.004",
            "loss.strategy=sld tokenizer.assignment=hard loss.alpha=0.008",
            "loss.strategy=sld tokenizer.assignment=soft loss.alpha=0.004 tokenizer.tau=8",
            "loss.strategy=sld tokenizer.assignment=soft loss.alpha=0.004 tokenizer.tau=13.5",
            "loss.strategy=sld tokenizer.assignment=soft loss.alpha=0.008 tokenizer.tau=8",
            "loss.strategy=sld tokenizer.assignment=soft loss.alpha=0.008 tokenizer.tau=13.5",
        ], plan.Cells.Select(Axes));
        // Where an axis does not apply, the value comes from the composed config.
        var lmHard = plan.Cells[0].Bind<ExperimentConfig>();
        Assert.Equal((0.0, 1.0), (lmHard.Loss.Alpha, lmHard.Tokenizer.Tau!.Value));
        Assert.Equal("loss.strategy == sld", plan.Axes.Single(a => a.Name == "loss.alpha").Condition);
        Assert.Equal("tokenizer.assignment == soft", plan.Axes.Single(a => a.Name == "tokenizer.tau").Condition);
    }

    [Fact]
    public void Group_axes_compose_different_files_and_conditions_on_absent_keys_do_not_apply()
    {
        var plan = ConfigFixtures.Expand("group_axis.yaml");
        Assert.Equal(
        [
            "tokenizer=kmeans tokenizer.k=100 model.dropout=0 train.steps=100",
            "tokenizer=kmeans tokenizer.k=100 model.dropout=0.2 train.steps=200",
            "tokenizer=kmeans tokenizer.k=500 model.dropout=0 train.steps=100",
            "tokenizer=kmeans tokenizer.k=500 model.dropout=0.2 train.steps=200",
            "tokenizer=spm",
        ], plan.Cells.Select(Axes));
        var spm = plan.Cells[4].Bind<ExperimentConfig>();
        Assert.Equal(new TokenizerConfig("spm", VocabSize: 500), spm.Tokenizer);
        Assert.Equal("spm", plan.Cells[4].GroupChoices["tokenizer"]);
    }

    [Fact]
    public void Section_hashes_are_shared_by_cells_that_agree_on_those_sections()
    {
        var plan = ConfigFixtures.Expand("conditional.yaml");
        var tokenizerHashes = plan.Cells.Select(c => c.HashOf("data", "tokenizer")).Distinct().Count();
        Assert.Equal(3, tokenizerHashes); // hard, soft tau=8, soft tau=13.5
        Assert.Single(plan.Cells.Select(c => c.HashOf("data")).Distinct());
        Assert.Equal(plan.Cells[0].HashOf("data", "tokenizer"), plan.Cells[3].HashOf("tokenizer", "data"));
    }

    [Fact]
    public void A_file_without_a_sweep_is_one_cell_and_overrides_change_its_hash()
    {
        var a = Assert.Single(ConfigFixtures.Expand("single.yaml").Cells);
        var b = Assert.Single(ConfigFixtures.Expand("single.yaml", "train.lr=0.0001").Cells);
        var c = Assert.Single(ConfigFixtures.Expand("single.yaml", "train.lr=2e-4").Cells);
        Assert.Equal(a.Hash, b.Hash); // 1e-4 in the file and 0.0001 on the command line are the same value
        Assert.NotEqual(a.Hash, c.Hash);
        Assert.Equal(a.Hash, a.SettingHash);
        Assert.Null(a.Seed);
    }

    [Fact]
    public void Canonical_json_of_a_cell_binds_back_to_the_same_record()
    {
        var cell = ConfigFixtures.Expand("conditional.yaml").Cells[8];
        var fromJson = ConfigBinder.Bind<ExperimentConfig>(ConfigYaml.Parse(cell.CanonicalJson, "db"));
        var direct = cell.Bind<ExperimentConfig>();
        Assert.Equal(direct with { Data = fromJson.Data }, fromJson);
        Assert.Equal(direct.Data.TestSets, fromJson.Data.TestSets);
    }
}
