// The three loss strategies against a direct computation: a hand-built batch of three rows of different lengths
// (padding, an <unk> text target, a row without speech-token targets), random logits, and the expected values
// computed by loops over positions in double. Also pins which positions each term counts.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Tests.Training;

public sealed class AsrLossTests : IDisposable
{
    private const double Tolerance = 2e-6;
    private const int B = 3, T = 7;

    // text units a b c -> 4 5 6; speech tokens 0..3 -> 7..10; V = 11.
    private static readonly AsrVocabulary Vocab = new(["a", "b", "c"], speechTokensPerCodebook: 4);
    private const long N = AsrModel.NoTarget;

    private static readonly long[,] Targets =
    {
        { 8, 9, 1, 4, 5, 2, N }, // s s s <se> a b <te>: speech targets, then text
        { 7, 1, 6, 3, 2, N, N }, // s s <se> c <unk> <te> <pad>
        { 1, 2, N, N, N, N, N }, // s <se> <te>: no speech-token target, empty text
    };

    private static readonly bool[,] InputMask =
    {
        { true, true, true, true, true, true, true },
        { true, true, true, true, true, true, false },
        { true, true, true, false, false, false, false },
    };

    private readonly float[] _logits;
    private readonly Tensor _logitsTensor;

    public AsrLossTests()
    {
        torch.manual_seed(unchecked((long)(11)));
        using var scope = torch.NewDisposeScope();
        _logitsTensor = (torch.randn([B, T, Vocab.Size]) * 2).DetachFromDisposeScope();
        _logits = _logitsTensor.ToArray<float>();
    }

    public void Dispose() => _logitsTensor.Dispose();

    private AsrForward Forward(Tensor logits)
    {
        var targets = new long[B * T];
        var mask = new bool[B * T];
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
                (targets[b * T + t], mask[b * T + t]) = (Targets[b, t], InputMask[b, t]);
        return new AsrForward(logits, torch.tensor(targets, B, T), torch.tensor(mask, B, T), null);
    }

    private double Logit(int b, int t, int v) => _logits[(b * T + t) * Vocab.Size + v];

    private static double[] LogSoftmax(double[] z)
    {
        var max = z.Max();
        var lse = max + Math.Log(z.Sum(x => Math.Exp(x - max)));
        return z.Select(x => x - lse).ToArray();
    }

    private static bool IsText(long t) => t is 2 or 3 or (>= 4 and < 7);
    private static bool IsSpeech(long t) => t == 1 || t >= 7;

    private double ExpectedCe(Func<long, bool> counts)
    {
        double sum = 0;
        var n = 0;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
            {
                if (!counts(Targets[b, t])) continue;
                var logp = LogSoftmax(Enumerable.Range(0, Vocab.Size).Select(v => Logit(b, t, v)).ToArray());
                sum -= logp[Targets[b, t]];
                n++;
            }
        return sum / n;
    }

    private static double[] Smoothed(int cls, double eps) => Enumerable.Range(0, 4).Select(k => (k == cls ? 1 - eps : 0) + eps / 4).ToArray();

    private double ExpectedKlPaper(double eps)
    {
        double sum = 0;
        var n = 0;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
            {
                if (Targets[b, t] < 7) continue;
                var q = Smoothed((int)Targets[b, t] - 7, eps);
                var logp = LogSoftmax(Enumerable.Range(7, 4).Select(v => Logit(b, t, v)).ToArray());
                for (var k = 0; k < 4; k++) sum += q[k] * (Math.Log(q[k]) - logp[k]);
                n++;
            }
        return sum / n;
    }

    private double ExpectedKlCode(double eps, double temperature)
    {
        double sum = 0;
        for (var b = 0; b < B; b++)
            for (var t = 0; t < T; t++)
            {
                var m = InputMask[b, t] ? 1.0 : 0.0;
                var student = LogSoftmax(Enumerable.Range(7, 4).Select(v => Logit(b, t, v) * m / temperature).ToArray());
                var target = Targets[b, t];
                var valid = target != N ? 1.0 : 0.0;
                var q = Smoothed(target >= 7 ? (int)target - 7 : 0, eps);
                var teacher = LogSoftmax(q.Select(x => x * valid / temperature).ToArray()).Select(Math.Exp).ToArray();
                for (var k = 0; k < 4; k++) sum += teacher[k] * (Math.Log(teacher[k]) - student[k]);
            }
        return sum / B * temperature * temperature;
    }

    private LossBreakdown Compute(LossConfig config, Tensor? logits = null)
    {
        using var scope = torch.NewDisposeScope();
        var result = AsrLoss.Compute(Forward(logits ?? _logitsTensor), Vocab, config);
        result.Total.DetachFromDisposeScope();
        return result;
    }

    private static double Value(LossBreakdown b)
    {
        using var total = b.Total;
        return total.ToDouble();
    }

    [Fact]
    public void CrossEntropiesAverageOverTheirOwnTargets()
    {
        var r = Compute(LossConfig.LossMasking());
        Assert.Equal(7, r.TextTargets); // a b <te> | c <unk> <te> | <te>
        Assert.Equal(6, r.SpeechTargets); // s s <se> | s <se> | <se>
        Assert.InRange(Math.Abs(r.CeText - ExpectedCe(IsText)), 0, Tolerance);
        Assert.InRange(Math.Abs(r.CeSpeech - ExpectedCe(IsSpeech)), 0, Tolerance);
        Assert.Null(r.Kl);
        Assert.InRange(Math.Abs(Value(r) - ExpectedCe(IsText)), 0, Tolerance); // loss masking: text CE only
    }

    [Fact]
    public void MultimodalCeWeighsSpeechAndText()
    {
        var r = Compute(LossConfig.MultimodalCe(weightCeSpeech: 0.5, weightCeText: 2.0));
        var expected = 2.0 * ExpectedCe(IsText) + 0.5 * ExpectedCe(IsSpeech);
        Assert.InRange(Math.Abs(Value(r) - expected), 0, Tolerance);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    public void SldPaperFormIsTheMeanKlAtSpeechTokenTargets(double eps)
    {
        var r = Compute(LossConfig.Sld(alpha: 0.3, klForm: KlForm.Paper, epsilon: eps));
        var kl = ExpectedKlPaper(eps);
        Assert.InRange(kl, 0.1, 10); // a real divergence, not a degenerate zero
        Assert.InRange(Math.Abs(r.Kl!.Value - kl), 0, Tolerance);
        Assert.InRange(Math.Abs(Value(r) - (ExpectedCe(IsText) + ExpectedCe(IsSpeech) + 0.3 * kl)), 0, Tolerance);
    }

    [Theory]
    [InlineData(0.1, 1.0)]
    [InlineData(0.2, 2.0)]
    public void SldCodeFormIsTheBatchMeanKlOverEveryPositionAsInTheAuthorsCode(double eps, double temperature)
    {
        var r = Compute(LossConfig.Sld(alpha: 0.008, klForm: KlForm.Code, epsilon: eps, temperature: temperature));
        var kl = ExpectedKlCode(eps, temperature);
        Assert.InRange(kl, 0.1, 100);
        Assert.InRange(Math.Abs(r.Kl!.Value - kl), 0, Tolerance * 10); // a sum over 84 entries, not a mean
        Assert.InRange(Math.Abs(Value(r) - (ExpectedCe(IsText) + ExpectedCe(IsSpeech) + 0.008 * kl)), 0, Tolerance * 10);
    }

    /// <summary>Loss values after adding 5 to every logit of one position.</summary>
    private (double ce, double paper, double code) Perturbed(int b, int t)
    {
        using var scope = torch.NewDisposeScope();
        var data = (float[])_logits.Clone();
        for (var v = 0; v < Vocab.Size; v++) data[(b * T + t) * Vocab.Size + v] += 5 * (v % 3);
        var logits = torch.tensor(data, B, T, Vocab.Size);
        var mce = Compute(LossConfig.MultimodalCe(), logits);
        var paper = Compute(LossConfig.Sld(klForm: KlForm.Paper), logits);
        var code = Compute(LossConfig.Sld(klForm: KlForm.Code), logits);
        mce.Total.Dispose();
        paper.Total.Dispose();
        code.Total.Dispose();
        return (mce.CeText + mce.CeSpeech, paper.Kl!.Value, code.Kl!.Value);
    }

    private static void Unchanged(double expected, double actual) => Assert.InRange(Math.Abs(expected - actual), 0, 1e-5);

    private static void Changed(double expected, double actual) => Assert.True(Math.Abs(expected - actual) > 1e-3, $"{actual} should differ from {expected}");

    [Fact]
    public void PaddingCountsNowhereAndTheFinalTextEndInputOnlyInTheCodeForm()
    {
        var baseline = Perturbed(0, 0);
        var (ce0, paper0, code0) = (ExpectedCe(IsText) + ExpectedCe(IsSpeech), ExpectedKlPaper(0.1), ExpectedKlCode(0.1, 1));
        Changed(ce0, baseline.ce); // position (0, 0) has a speech target: every term sees it
        Changed(paper0, baseline.paper);
        Changed(code0, baseline.code);

        var pad = Perturbed(2, 5); // a padding input: ignored by every term (its code-form logits are zeroed)
        Unchanged(ce0, pad.ce);
        Unchanged(paper0, pad.paper);
        Unchanged(code0, pad.code);

        var final = Perturbed(0, 6); // the <text_end> input: no target, but the code form compares it with a uniform teacher
        Unchanged(ce0, final.ce);
        Unchanged(paper0, final.paper);
        Changed(code0, final.code);

        var textTarget = Perturbed(1, 3); // target <unk>: counts for CE and the code form (class 0), not the paper form
        Changed(ce0, textTarget.ce);
        Unchanged(paper0, textTarget.paper);
        Changed(code0, textTarget.code);
    }

    [Fact]
    public void StrategiesRejectWeightsThatContradictThem()
    {
        Assert.Throws<ArgumentException>(() => (LossConfig.LossMasking() with { WeightCeSpeech = 1 }).Validate());
        Assert.Throws<ArgumentException>(() => (LossConfig.MultimodalCe() with { Alpha = 0.1 }).Validate());
        Assert.Throws<ArgumentException>(() => LossConfig.Sld(alpha: 0).Validate());
        Assert.Throws<ArgumentException>(() => LossConfig.Sld(epsilon: 1.5).Validate());
        Assert.Equal(new LossConfig(LossStrategy.Sld, 1, 1, 0.008, KlForm.Code, 0.1, 1.0), LossConfig.FromName("sld"));
        Assert.Equal("multimodal_ce", LossConfig.FromName("multimodal_ce").Name);
    }
}
