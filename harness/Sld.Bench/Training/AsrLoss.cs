// The three loss strategies of the SLD paper as one weighted sum (methods.md section 1):
// L = w_text * CE_text + w_speech * CE_speech + alpha * KL (+ lambda * CTC for the CTC-compression front end).
// Target classes follow the authors' code: text units and <text_end> are text targets, speech tokens and
// <speech_end> are speech targets; each CE is a mean over its own targets. KL forms: see SmoothedLabelKl.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Training;

public enum LossStrategy
{
    LossMasking,
    MultimodalCe,
    Sld,
}

public enum KlForm
{
    /// <summary>KL(q' || softmax(speech logits)) at positions whose target is a speech token, mean over them.</summary>
    Paper,

    /// <summary>run_clm.py: KL(softmax(q'/T) || softmax(speech logits/T)) at every non-pad input, sum / batch size * T^2.</summary>
    Code,
}

/// <summary>
/// One record with every loss parameter. Defaults come from the authors' code (alpha 0.008, eps 0.1, T 1);
/// alpha was calibrated for the code form and must be swept for the paper form. CtcWeight (lambda) only applies
/// to the CtcCompression front end and its default is a guess ([open] in methods.md).
/// </summary>
public sealed record LossConfig(
    LossStrategy Strategy,
    double WeightCeText = 1.0,
    double WeightCeSpeech = 0.0,
    double Alpha = 0.0,
    KlForm KlForm = KlForm.Code,
    double Epsilon = 0.1,
    double Temperature = 1.0,
    double CtcWeight = 0.3)
{
    public static LossConfig LossMasking() => new(LossStrategy.LossMasking);

    public static LossConfig MultimodalCe(double weightCeSpeech = 1.0, double weightCeText = 1.0) =>
        new(LossStrategy.MultimodalCe, WeightCeText: weightCeText, WeightCeSpeech: weightCeSpeech);

    public static LossConfig Sld(double alpha = 0.008, KlForm klForm = KlForm.Code, double epsilon = 0.1, double temperature = 1.0) =>
        new(LossStrategy.Sld, WeightCeText: 1.0, WeightCeSpeech: 1.0, Alpha: alpha, KlForm: klForm, Epsilon: epsilon, Temperature: temperature);

    /// <summary>The strategy's name as configs and the database spell it: loss_masking, multimodal_ce, sld.</summary>
    public string Name => Strategy switch
    {
        LossStrategy.LossMasking => "loss_masking",
        LossStrategy.MultimodalCe => "multimodal_ce",
        _ => "sld",
    };

    public static LossConfig FromName(string name) => name switch
    {
        "loss_masking" => LossMasking(),
        "multimodal_ce" => MultimodalCe(),
        "sld" => Sld(),
        _ => throw new ArgumentException($"unknown loss strategy '{name}'; valid: loss_masking, multimodal_ce, sld"),
    };

    public bool NeedsSpeechTargets => WeightCeSpeech != 0 || Alpha != 0;

    public void Validate()
    {
        static bool Finite(double x) => double.IsFinite(x) && x >= 0;
        if (!Finite(WeightCeText) || !Finite(WeightCeSpeech) || !Finite(Alpha) || !Finite(CtcWeight))
            throw new ArgumentException($"loss weights must be finite and >= 0: {this}");
        if (Epsilon is < 0 or > 1 || double.IsNaN(Epsilon)) throw new ArgumentException($"label smoothing eps {Epsilon} must be in [0, 1]");
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ArgumentException($"KL temperature {Temperature} must be positive");
        switch (Strategy)
        {
            case LossStrategy.LossMasking when WeightCeSpeech != 0 || Alpha != 0:
                throw new ArgumentException("loss_masking trains on text targets only: WeightCeSpeech and Alpha must be 0");
            case LossStrategy.MultimodalCe when Alpha != 0:
                throw new ArgumentException("multimodal_ce has no KL term: Alpha must be 0 (use sld)");
            case LossStrategy.Sld when Alpha <= 0:
                throw new ArgumentException("sld needs Alpha > 0");
        }
    }
}

/// <summary>
/// The loss to backpropagate and every component's value (float64 on the host). Kl is null unless the strategy is
/// sld; Ctc is null without a CTC front end. Counts are the positions each CE averaged over.
/// </summary>
public sealed record LossBreakdown(Tensor Total, double CeText, double CeSpeech, double? Kl, double? Ctc, long TextTargets, long SpeechTargets);

public static class AsrLoss
{
    public static LossBreakdown Compute(AsrForward f, AsrVocabulary vocab, LossConfig config)
    {
        using var scope = torch.NewDisposeScope();
        var V = f.Logits.size(-1);
        var logits = f.Logits.reshape(-1, V); // (N, V)
        var targets = f.Targets.reshape(-1); // (N)
        var ce = F.cross_entropy(logits, targets, reduction: nn.Reduction.None, ignore_index: AsrModel.NoTarget); // (N), 0 where ignored

        var isText = targets.eq(AsrVocabulary.TextEnd) | targets.eq(AsrVocabulary.Unknown)
                     | (targets.ge(vocab.TextOffset) & targets.lt(vocab.SpeechOffset));
        var isSpeech = targets.eq(AsrVocabulary.SpeechEnd) | targets.ge(vocab.SpeechOffset);
        var nText = isText.sum().ToInt64();
        var nSpeech = isSpeech.sum().ToInt64();
        var ceText = (ce * isText).sum() / Math.Max(1, nText); // mean over text targets (0 when there are none)
        var ceSpeech = (ce * isSpeech).sum() / Math.Max(1, nSpeech);

        var total = ceText * config.WeightCeText;
        if (config.WeightCeSpeech != 0) total = total + ceSpeech * config.WeightCeSpeech;
        Tensor? kl = null;
        if (config.Strategy == LossStrategy.Sld)
        {
            kl = config.KlForm == KlForm.Paper ? SmoothedLabelKl.Paper(f, vocab, config.Epsilon) : SmoothedLabelKl.Code(f, vocab, config.Epsilon, config.Temperature);
            total = total + kl * config.Alpha;
        }
        if (f.CtcLoss is { } ctc && config.CtcWeight != 0) total = total + ctc * config.CtcWeight;
        return new LossBreakdown(total.MoveToOuterDisposeScope(), ceText.ToDouble(), ceSpeech.ToDouble(), kl?.ToDouble(),
            f.CtcLoss?.ToDouble(), nText, nSpeech);
    }
}

/// <summary>The two KL terms of Smoothed Label Distillation, q' = (1 - eps) * onehot(next speech token) + eps / K.</summary>
public static class SmoothedLabelKl
{
    /// <summary>
    /// `paper`: at positions whose target is a speech token of codebook 0, KL(q' || p) with p the softmax over the
    /// K speech logits; the mean over those positions (0 when there are none).
    /// </summary>
    public static Tensor Paper(AsrForward f, AsrVocabulary vocab, double eps)
    {
        using var scope = torch.NewDisposeScope();
        var K = vocab.SpeechTokensPerCodebook;
        var V = f.Logits.size(-1);
        var targets = f.Targets.reshape(-1); // (N)
        var isSpeechToken = targets.ge(vocab.SpeechOffset) & targets.lt(vocab.SpeechOffset + K);
        var n = isSpeechToken.sum().ToInt64();
        var logp = f.Logits.reshape(-1, V).narrow(1, vocab.SpeechOffset, K).log_softmax(-1); // (N, K)
        var q = SmoothedOneHot(torch.where(isSpeechToken, targets - vocab.SpeechOffset, 0), K, eps); // (N, K)
        var perPosition = F.kl_div(logp, q, log_target: false, reduction: nn.Reduction.None).sum(-1); // (N)
        return ((perPosition * isSpeechToken).sum() / Math.Max(1, n)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// `code`, exactly as run_clm.py: student = log_softmax(speech logits * input_mask / T) at every position (a
    /// padding input's zeroed logits are uniform); teacher = softmax(q' * target_mask / T) with class 0 where the
    /// target is not a speech token (text, <speech_end>) and a uniform teacher where there is no target (the
    /// final <text_end> input, padding). Sum over positions and classes, divided by the batch size, times T^2.
    /// </summary>
    public static Tensor Code(AsrForward f, AsrVocabulary vocab, double eps, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        var K = vocab.SpeechTokensPerCodebook;
        var B = f.Logits.size(0);
        var inputMask = f.InputMask.unsqueeze(-1).to(ScalarType.Float32); // (B, T, 1)
        var student = (f.Logits.narrow(-1, vocab.SpeechOffset, K) * inputMask / temperature).log_softmax(-1); // (B, T, K)
        var cls = (f.Targets - vocab.SpeechOffset).clamp(0, K - 1); // non-speech targets fall to class 0 as in the code
        cls = torch.where(f.Targets.ge(vocab.SpeechOffset), cls, 0);
        var targetMask = f.Targets.ne(AsrModel.NoTarget).unsqueeze(-1).to(ScalarType.Float32); // (B, T, 1)
        var teacher = (SmoothedOneHot(cls, K, eps) * targetMask / temperature).softmax(-1); // (B, T, K)
        var kl = F.kl_div(student, teacher, log_target: false, reduction: nn.Reduction.Sum) / B * (temperature * temperature);
        return kl.MoveToOuterDisposeScope();
    }

    private static Tensor SmoothedOneHot(Tensor classes, long K, double eps) =>
        F.one_hot(classes, K).to(ScalarType.Float32) * (1 - eps) + eps / K;
}
