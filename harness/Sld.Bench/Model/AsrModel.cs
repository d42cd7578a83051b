// The decoder-only ASR model: a speech front end turns each utterance's speech into prefix embeddings, which are
// joined with the embedded text part `<speech_end> t_1..t_M <text_end>` into one right-padded sequence (training)
// or one left-padded prompt (decoding), and a GPT reads it. The forward returns logits with next-token targets;
// Prefill/Step drive incremental decoding over a KvCache. Save/Load keep config and vocabulary with the weights.
using System.Text.Json;
using System.Text.Json.Serialization;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace Sld.Bench.Model;

/// <summary>
/// Logits (B, T, V) with next-token targets (B, T) (NoTarget where nothing is predicted), the (B, T) bool mask of
/// non-padding inputs, and the front end's CTC loss when it has one.
/// </summary>
public sealed record AsrForward(Tensor Logits, Tensor Targets, Tensor InputMask, Tensor? CtcLoss);

public sealed class AsrModel : nn.Module
{
    /// <summary>Target value of positions that predict nothing (padding, the final `&lt;text_end&gt;`, feature frames).</summary>
    public const long NoTarget = -100;

    public const string FormatName = "sld-bench-asr-model/1";

    public AsrModel(AsrModelConfig config, AsrVocabulary vocabulary) : base(nameof(AsrModel))
    {
        config.Validate();
        Config = config;
        Vocabulary = vocabulary;
        gpt = this.Register("gpt", new Gpt(config.ToGpt(vocabulary.Size)));
        if (config.FrontEnd == SpeechFrontEnd.Bridge) bridge = this.Register("bridge", new ConvBridge(config.FeatureDim, config.Width));
        if (config.FrontEnd == SpeechFrontEnd.CtcCompression)
            ctc = this.Register("ctc", new CtcCompressor(config.FeatureDim, config.Width, vocabulary.TextUnitCount, config.CtcMerge));
    }

    public AsrModelConfig Config { get; }
    public AsrVocabulary Vocabulary { get; }
    public readonly Gpt gpt;
    public readonly ConvBridge? bridge;
    public readonly CtcCompressor? ctc;

    /// <summary>Speech prefixes (B, S', C), their lengths, and the CTC loss when asked for and the front end has one.</summary>
    private (Tensor prefix, long[] lengths, Tensor? ctcLoss) EncodeSpeech(AsrBatch batch, bool withCtcLoss)
    {
        switch (Config.FrontEnd)
        {
            case SpeechFrontEnd.Tokens when batch.SpeechIds is { } ids:
                ShapeCheck.Expect(ids, nameof(AsrModel), "speech token ids", "(B, S, codebooks)", null, null, null);
                return (gpt.wte.forward(ids).sum(2), batch.SpeechFrames, null); // (B, S, codebooks, C) -> (B, S, C)
            case SpeechFrontEnd.Tokens when batch.SoftTokens is { } p:
            {
                var table = gpt.wte.weight!.narrow(0, Vocabulary.SpeechOffset, Vocabulary.SpeechTokensPerCodebook); // (K, C)
                ShapeCheck.Expect(p, nameof(AsrModel), "soft speech tokens", "(B, S, K)", null, null, table.size(0));
                return (ShapeCheck.MatMul(p, table, nameof(AsrModel)), batch.SpeechFrames, null); // expected embedding sum_k p(k|x_t) E_k
            }
            case SpeechFrontEnd.Bridge when batch.Features is { } f:
            {
                var (prefix, lengths) = bridge!.forward(f, batch.SpeechFrames);
                return (prefix, lengths, null);
            }
            case SpeechFrontEnd.CtcCompression when batch.Features is { } f:
            {
                var units = withCtcLoss ? batch.TextUnits.Select(u => u.Select(id => id - Vocabulary.TextOffset).ToArray()).ToArray() : null;
                return ctc!.forward(f, batch.SpeechFrames, units);
            }
            default:
                throw new ArgumentException($"the {Config.FrontEnd} front end cannot read this batch's speech input");
        }
    }

    /// <summary>Rows of cat(prefix, text) picked by a host index map (B, T): one batched gather for every layout.</summary>
    private static Tensor Join(Tensor prefix, Tensor text, long[] index, long B, long T)
    {
        var joined = torch.cat([prefix, text], 1); // (B, S' + Tt, C)
        var idx = torch.tensor(index, B, T, 1).to(prefix.device).expand(B, T, joined.size(2));
        return joined.gather(1, idx); // (B, T, C)
    }

    /// <summary>Training/validation pass: `s_1..s_N <speech_end> t_1..t_M <text_end>` per row, right-padded.</summary>
    public AsrForward forward(AsrBatch batch)
    {
        using var scope = torch.NewDisposeScope();
        var (prefix, L, ctcLoss) = EncodeSpeech(batch, withCtcLoss: true);
        var textEmb = gpt.wte.forward(batch.TextInputs); // (B, Tt, C)
        var (B, Sp, Tt) = (batch.Count, prefix.size(1), batch.TextInputs.size(1));
        var T = Enumerable.Range(0, B).Max(b => L[b] + batch.TextTargets[b].Length);
        var index = new long[B * T];
        var targets = new long[B * T];
        var valid = new bool[B * T];
        var padSlot = Sp + Tt - 1; // the text part always ends in a pad column
        for (var b = 0; b < B; b++)
        {
            var text = batch.TextTargets[b];
            for (var p = 0; p < T; p++)
            {
                var i = b * T + p;
                var q = p - L[b]; // position within the text part
                index[i] = p < L[b] ? p : q < text.Length ? Sp + q : padSlot;
                valid[i] = q < text.Length;
                targets[i] = p < L[b] - 1 ? batch.SpeechTargets?[b][p + 1] ?? NoTarget // next speech token (hard tokens only)
                    : p == L[b] - 1 ? AsrVocabulary.SpeechEnd
                    : q < text.Length - 1 ? text[q + 1]
                    : NoTarget; // the final <text_end> and padding predict nothing
            }
        }
        var emb = Join(prefix, textEmb, index, B, T); // (B, T, C)
        var logits = gpt.logits(gpt.forward_embeddings(emb)); // (B, T, V)
        var device = logits.device;
        return new AsrForward(
            logits.MoveToOuterDisposeScope(),
            torch.tensor(targets, B, T).to(device).MoveToOuterDisposeScope(),
            torch.tensor(valid, B, T).to(device).MoveToOuterDisposeScope(),
            ctcLoss?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Decoding prompt pass: each row is its speech prefix then `&lt;speech_end&gt;`, left-padded to a common length P so
    /// every row's last position is column P-1. Fills <paramref name="cache"/>; returns next-token logits (B, V),
    /// the (B, P) bool mask of real prompt positions, and each row's next position index.
    /// </summary>
    public (Tensor logits, Tensor keyValid, long[] nextPositions) Prefill(AsrBatch prompts, KvCache cache)
    {
        using var scope = torch.NewDisposeScope();
        var (prefix, L, _) = EncodeSpeech(prompts, withCtcLoss: false);
        var textEmb = gpt.wte.forward(prompts.TextInputs); // (B, Tt, C); column 0 is <speech_end>
        var (B, Sp, Tt) = (prompts.Count, prefix.size(1), prompts.TextInputs.size(1));
        var P = L.Max() + 1;
        var index = new long[B * P];
        var positions = new long[B * P];
        var valid = new bool[B * P];
        for (var b = 0; b < B; b++)
        {
            var offset = P - (L[b] + 1);
            for (var p = 0; p < P; p++)
            {
                var q = p - offset;
                index[b * P + p] = q < 0 ? Sp + Tt - 1 : q < L[b] ? q : Sp;
                positions[b * P + p] = Math.Max(0, q);
                valid[b * P + p] = q >= 0;
            }
        }
        var device = prefix.device;
        var emb = Join(prefix, textEmb, index, B, P); // (B, P, C)
        var keyValid = torch.tensor(valid, B, P).to(device);
        var causal = torch.ones(P, P, dtype: ScalarType.Bool, device: device).tril();
        var self = torch.eye(P, dtype: ScalarType.Bool, device: device); // a padding query sees itself, so no softmax row is empty
        var mask = causal & (keyValid.view(B, 1, 1, P) | self); // (B, 1, P, P)
        var context = new DecoderContext { Positions = torch.tensor(positions, B, P).to(device), Mask = mask, Cache = cache };
        var hidden = gpt.forward_embeddings(emb, context).select(1, P - 1); // (B, C)
        return (gpt.logits(hidden).MoveToOuterDisposeScope(), keyValid.MoveToOuterDisposeScope(), L.Select(l => l + 1).ToArray());
    }

    /// <summary>One incremental step: token ids (R) at positions (R) given the cached keys' validity (R, S); logits (R, V).</summary>
    public Tensor Step(long[] tokens, long[] positions, Tensor keyValid, KvCache cache)
    {
        using var scope = torch.NewDisposeScope();
        var R = tokens.Length;
        var device = keyValid.device;
        var emb = gpt.wte.forward(torch.tensor(tokens, R, 1).to(device)); // (R, 1, C)
        var mask = keyValid.view(R, 1, 1, keyValid.size(1)); // (R, 1, 1, S): the new key is appended as valid by the caller
        var context = new DecoderContext { Positions = torch.tensor(positions, R, 1).to(device), Mask = mask, Cache = cache };
        return gpt.logits(gpt.forward_embeddings(emb, context).select(1, 0)).MoveToOuterDisposeScope(); // (R, V)
    }

    // ---- persistence ----

    internal static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public Dictionary<string, string> Metadata() => new()
    {
        ["format"] = FormatName,
        ["model_config"] = JsonSerializer.Serialize(Config, Json),
        ["vocabulary"] = Vocabulary.ToJson(),
        ["parameters"] = this.ParameterCount().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Writes weights, config and vocabulary to one safetensors file (atomically: temporary file + rename).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var meta = Metadata();
        foreach (var (k, v) in extraMetadata ?? new Dictionary<string, string>()) meta[k] = v;
        this.SaveWeights(path, meta);
    }

    /// <summary>Builds the model a file describes and loads its weights (from Save or a trainer checkpoint).</summary>
    public static AsrModel Load(string path, Device? device = null)
    {
        var (state, meta) = SafeTensors.LoadWithMetadata(path);
        try
        {
            var (config, vocab) = Describe(meta, path);
            var model = new AsrModel(config, vocab);
            var prefix = state.Keys.Any(k => k.StartsWith("model.", StringComparison.Ordinal)) ? "model." : "";
            var weights = state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && (prefix.Length > 0 || !kv.Key.StartsWith("optim.", StringComparison.Ordinal)))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            model.LoadWeights(weights, path);
            if (device is { } d && d.type != DeviceType.CPU) model.to(d);
            return model;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    internal static (AsrModelConfig config, AsrVocabulary vocab) Describe(IReadOnlyDictionary<string, string> meta, string path)
    {
        if (!meta.TryGetValue("model_config", out var cfg) || !meta.TryGetValue("vocabulary", out var voc))
            throw new InvalidDataException($"{path} has no model_config/vocabulary metadata; it was not written by AsrModel.Save or the trainer");
        var config = JsonSerializer.Deserialize<AsrModelConfig>(cfg, Json) ?? throw new InvalidDataException($"{path}: empty model_config");
        return (config, AsrVocabulary.FromJson(voc));
    }
}
