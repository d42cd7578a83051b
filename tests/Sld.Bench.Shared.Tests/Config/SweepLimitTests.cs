// Bounds on what a sweep file can ask for: the number of cells is counted before the grid is built and
// refused past the limit (naming the axes), numbers outside a member's [ConfigRange] or not finite are
// refused where they are written, and a sweep name can never leave runs/.
using System.Diagnostics;
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Tests.Config;

public sealed class SweepLimitTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sldbench-limits-").FullName;

    public SweepLimitTests()
    {
        var source = ConfigFixtures.Path("");
        foreach (var file in Directory.GetFiles(source, "*.yaml", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Three_thousand_value_axes_are_refused_before_any_cell_is_built()
    {
        var file = Write("huge", """
            defaults: [base]
            sweep:
              grid:
                train.steps: range(1, 1001)
                train.batch_size: range(1, 1001)
                train.warmup: range(0, 1000)
            """);
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(file).Expand());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.StartsWith($"{file}:5:5: ", e.Message, StringComparison.Ordinal); // the axis whose product passes the limit
        Assert.Contains("1,000,000 cells", e.Message, StringComparison.Ordinal);
        Assert.Contains($"limit of {ExperimentFile.DefaultMaxCells:N0}", e.Message, StringComparison.Ordinal);
        foreach (var axis in new[] { "train.steps", "train.batch_size", "train.warmup" })
            Assert.Contains($"{axis} (1,000 values", e.Message, StringComparison.Ordinal);
        Assert.Contains("--cell-limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_limit_counts_seeds_and_can_be_raised()
    {
        var file = Write("tenbyten", """
            defaults: [base]
            sweep:
              grid:
                train.steps: range(1, 11)
              seeds: range(0, 10)
            """);
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(file).Expand(maxCells: 99));
        Assert.Contains("at least 100 cells, more than the limit of 99", e.Message, StringComparison.Ordinal);
        Assert.Contains("seed (10 values", e.Message, StringComparison.Ordinal);
        Assert.Equal(100, ExperimentFile.Load(file).Expand(maxCells: 100).Cells.Count);
    }

    [Fact]
    public void Conditional_axes_count_toward_the_limit()
    {
        var file = ConfigFixtures.Path("conditional.yaml");
        var cells = ExperimentFile.Load(file).Expand().Cells.Count;
        Assert.Throws<ConfigException>(() => ExperimentFile.Load(file).Expand(maxCells: cells - 1));
        Assert.Equal(cells, ExperimentFile.Load(file).Expand(maxCells: cells).Cells.Count);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public void A_sweep_name_that_is_not_one_folder_name_is_refused_where_it_is_written(string name)
    {
        var file = Write("named", $"defaults: [base]\nsweep:\n  name: '{name}'\n  grid:\n    train.steps: [1, 2]\n");
        var e = Assert.Throws<ConfigException>(() => ExperimentFile.Load(file));
        Assert.StartsWith($"{file}:3:9: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a usable sweep name", e.Message, StringComparison.Ordinal);
    }

    private sealed record Bounded(
        [ConfigRange(1)] long Steps = 10,
        [ConfigRange(0, MinExclusive = true)] double Lr = 1e-3,
        [ConfigRange(0, 1, MaxExclusive = true)] double Dropout = 0.1,
        double Free = 0,
        [ConfigRange(1)] int? Optional = null);

    [Theory]
    [InlineData("steps: -5", "'steps': must be at least 1, got -5", 1, 8)]
    [InlineData("lr: 0", "'lr': must be greater than 0, got 0", 1, 5)]
    [InlineData("lr: .nan", "'lr': must be a finite number, got .nan", 1, 5)]
    [InlineData("free: -.inf", "'free': must be a finite number, got -.inf", 1, 7)]
    [InlineData("dropout: 1", "'dropout': must be from 0 up to (not including) 1, got 1", 1, 10)]
    [InlineData("optional: 0", "'optional': must be at least 1, got 0", 1, 11)]
    public void A_number_outside_its_range_is_an_error_at_its_position(string yaml, string message, int line, int column)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigBinder.Bind<Bounded>(ConfigYaml.Parse(yaml, "r.yaml")));
        Assert.Equal($"r.yaml:{line}:{column}: {message}", e.Errors.Single().ToString());
    }

    [Fact]
    public void Numbers_inside_their_ranges_and_absent_optionals_bind()
    {
        var bound = ConfigBinder.Bind<Bounded>(ConfigYaml.Parse("steps: 1\nlr: 1e-9\ndropout: 0\nfree: -3\n", "r.yaml"));
        Assert.Equal(new Bounded(1, 1e-9, 0, -3, null), bound);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
