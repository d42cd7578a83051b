// Typed records shaped like the harness's configs, bound from the YAML fixtures in tests/fixtures/config, and
// helpers to locate those fixtures and assert the exact file:line:column of a ConfigException.
using Sld.Bench.Shared.Config;
using Sld.Bench.Testing;

namespace Sld.Bench.Shared.Tests.Config;

public enum LossStrategy { Lm, Mce, Sld }

public enum KlForm { Paper, Code }

public enum Assignment { Hard, Soft }

public sealed record ModelConfig(string Size, int Layers, int DModel, int Heads, double Dropout = 0.0);

public sealed record TokenizerConfig(string Kind, int? K = null, Assignment? Assignment = null, double? Tau = null, int? Layer = null, int? VocabSize = null);

public sealed record LossConfig(LossStrategy Strategy, double Alpha, double Eps, KlForm KlForm = KlForm.Code);

public sealed record DataConfig(string Corpus, string Root, IReadOnlyList<string> TestSets);

public sealed record TrainConfig(double Lr, int Steps, int BatchSize)
{
    public int Warmup { get; init; } = 10;
}

public sealed record ExperimentConfig(int Seed, ModelConfig Model, TokenizerConfig Tokenizer, LossConfig Loss, DataConfig Data, TrainConfig Train);

internal static class ConfigFixtures
{
    public static string Path(string name) => RepoPaths.Fixture(System.IO.Path.Combine("config", name));

    public static SweepPlan Expand(string name, params string[] sets) =>
        ExperimentFile.Load(Path(name)).Expand(ConfigOverride.ParseAll(sets));

    /// <summary>Asserts the exception's first error is at file:line:column and its message contains <paramref name="text"/>.</summary>
    public static void AssertAt(ConfigException e, string file, int line, int column, string text)
    {
        var prefix = $"{file}:{line}:{column}: ";
        Assert.True(e.Message.StartsWith(prefix, StringComparison.Ordinal), $"expected an error at {prefix}got: {e.Message}");
        Assert.True(e.Message.Contains(text, StringComparison.Ordinal), $"expected '{text}' in: {e.Message}");
        Assert.Equal(new SourceLocation(file, line, column), e.Location);
    }
}
