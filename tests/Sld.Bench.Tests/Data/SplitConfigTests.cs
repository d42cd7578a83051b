// The two ways docs/data.md writes a split in an experiment config, `NAME: PATH` and `NAME: {path, format}`,
// both bind; a wrong format names the key and the valid formats.
using Sld.Bench.Data;
using Sld.Bench.Experiments;
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Tests.Data;

public sealed class SplitConfigTests
{
    private const string Rest = "seed: 0\ntokenizer: {}\nmodel: {}\nloss: {}\ntrain: {}\n";

    [Fact]
    public void A_split_is_a_path_or_a_path_with_its_format()
    {
        var config = AsrCellRunner.Bind((ConfigMap)ConfigYaml.Parse(
            "data:\n  splits:\n    train: {path: data/train, format: kaldi}\n    dev: data/dev.jsonl\n" + Rest, "splits.yaml"));
        Assert.Equal(new SplitSource("data/train", CorpusFormat.Kaldi), config.Data.Splits!["train"]);
        Assert.Equal(new SplitSource("data/dev.jsonl", CorpusFormat.Auto), config.Data.Splits!["dev"]);
    }

    [Fact]
    public void An_unknown_format_is_an_error_at_its_position()
    {
        var e = Assert.Throws<ConfigException>(() => AsrCellRunner.Bind((ConfigMap)ConfigYaml.Parse(
            "data:\n  splits:\n    train: {path: data/train, format: kaldy}\n" + Rest, "splits.yaml")));
        Assert.StartsWith("splits.yaml:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("'data.splits.train.format': 'kaldy' is not one of", e.Message, StringComparison.Ordinal);
    }
}
