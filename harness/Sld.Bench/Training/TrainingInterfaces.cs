// The seams between the trainer and the rest of the harness: where utterances come from (the data engineer's
// corpora), where training curves go (the results database), and how dev hypotheses are scored (the shared
// sclite-compatible scorer). The in-memory implementations serve tests and small programs.
using Sld.Bench.Model;

namespace Sld.Bench.Training;

/// <summary>The training and development utterances of one experiment.</summary>
public interface IAsrDataSource
{
    IReadOnlyList<AsrUtterance> Train { get; }
    IReadOnlyList<AsrUtterance> Dev { get; }
}

public sealed record InMemoryAsrData(IReadOnlyList<AsrUtterance> Train, IReadOnlyList<AsrUtterance> Dev) : IAsrDataSource;

/// <summary>Receives every training curve point: loss components, lr, grad norm, tokens/s, dev metrics.</summary>
public interface IMetricsSink
{
    void Log(long step, string name, double value);
}

/// <summary>Keeps every point in memory, in arrival order.</summary>
public sealed class InMemoryMetricsSink : IMetricsSink
{
    private readonly List<(long step, string name, double value)> _points = [];

    public IReadOnlyList<(long step, string name, double value)> Points => _points;

    public void Log(long step, string name, double value) => _points.Add((step, name, value));

    /// <summary>(step, value) of one metric in arrival order.</summary>
    public IReadOnlyList<(long step, double value)> Series(string name) =>
        _points.Where(p => p.name == name).Select(p => (p.step, p.value)).ToList();
}

/// <summary>Metric names the trainer logs (train/* every step, dev/* every evaluation).</summary>
public static class MetricNames
{
    public const string Loss = "train/loss";
    public const string CeText = "train/ce_text";
    public const string CeSpeech = "train/ce_speech";
    public const string Kl = "train/kl";
    public const string Ctc = "train/ctc";
    public const string LearningRate = "train/lr";
    public const string GradNorm = "train/grad_norm";
    public const string TokensPerSecond = "train/tokens_per_s";
    public const string LossScale = "train/loss_scale";
    public const string DevLoss = "dev/loss";
    public const string DevCeText = "dev/ce_text";
    public const string DevCeSpeech = "dev/ce_speech";
    public const string DevKl = "dev/kl";
    public const string DevCtc = "dev/ctc";
    public const string DevWer = "dev/wer";
    public const string DevTruncated = "dev/truncated_fraction";
}
