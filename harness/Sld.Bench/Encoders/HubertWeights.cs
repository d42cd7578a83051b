// Loading HuBERT / wav2vec 2.0 weights into HubertEncoder from a PyTorch state_dict (torch.save) or a
// safetensors file, in torchaudio's naming (used as is) or Hugging Face's (mapped): HF puts the feature
// projection beside the encoder rather than in it, names the Transformer "encoder", may prefix everything with
// "hubert."/"wav2vec2.", and newer versions store the weight norm as parametrizations.weight.original0/1.
// Heads (CTC, pretraining logits, mask embeddings) are ignored; a missing encoder weight is an error.
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Encoders;

public static partial class HubertWeights
{
    /// <summary>Which naming a state dict uses.</summary>
    public enum Naming
    {
        Torchaudio,
        HuggingFace,
    }

    /// <summary>Reads every tensor of a .safetensors file or a torch.save file (zip format), by dotted name.</summary>
    public static OrderedDictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file not found: {path}", path);
        // torch.save's zip format starts with "PK"; anything else is taken for safetensors (which validates itself).
        return TorchSaveFile.LooksLikeTorchSave(path) ? TorchSaveFile.LoadStateDict(path) : SafeTensors.Load(path);
    }

    public static Naming Detect(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        if (list.Any(k => k.StartsWith("encoder.transformer.", StringComparison.Ordinal))) return Naming.Torchaudio;
        if (list.Any(k => k.Contains("encoder.layers.", StringComparison.Ordinal) || k.Contains("encoder.pos_conv_embed.", StringComparison.Ordinal)))
            return Naming.HuggingFace;
        throw new InvalidDataException("the state dict has neither torchaudio's (encoder.transformer.*) nor Hugging Face's (encoder.layers.*) HuBERT names");
    }

    [GeneratedRegex(@"^(hubert|wav2vec2|model)\.")]
    private static partial Regex Prefix();

    /// <summary>Hugging Face names mapped to torchaudio's; keys with no place in the encoder map to null.</summary>
    public static string? FromHuggingFace(string key)
    {
        key = Prefix().Replace(key, "");
        key = key.Replace("pos_conv_embed.conv.parametrizations.weight.original0", "pos_conv_embed.conv.weight_g", StringComparison.Ordinal)
                 .Replace("pos_conv_embed.conv.parametrizations.weight.original1", "pos_conv_embed.conv.weight_v", StringComparison.Ordinal);
        if (key.StartsWith("feature_extractor.", StringComparison.Ordinal)) return key;
        if (key.StartsWith("feature_projection.", StringComparison.Ordinal)) return "encoder." + key;
        if (key.StartsWith("encoder.", StringComparison.Ordinal)) return "encoder.transformer." + key["encoder.".Length..];
        return null; // masked_spec_embed, lm_head, project_hid, ...
    }

    /// <summary>
    /// Loads weights into the model. Returns the source keys that were ignored (heads and other non-encoder entries).
    /// Throws when an encoder weight is missing or has the wrong shape.
    /// </summary>
    public static IReadOnlyList<string> Load(HubertEncoder model, string path)
    {
        var raw = Read(path);
        try
        {
            var naming = Detect(raw.Keys);
            var mapped = new Dictionary<string, Tensor>();
            var ignored = new List<string>();
            var own = model.state_dict();
            foreach (var (key, tensor) in raw)
            {
                var name = naming == Naming.Torchaudio ? key : FromHuggingFace(key);
                if (name is null || !own.ContainsKey(name)) ignored.Add(key);
                else if (!mapped.TryAdd(name, tensor)) throw new InvalidDataException($"{path}: two entries map to '{name}'");
            }
            var missing = own.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{path}: {naming} weights lack {missing.Count} encoder entries, e.g. {string.Join(", ", missing.Take(5))}");
            model.LoadWeights(mapped, path);
            return ignored;
        }
        finally
        {
            foreach (var t in raw.Values) t.Dispose();
        }
    }

    /// <summary>A model of <paramref name="config"/> (Base by default) with the weights of <paramref name="path"/>.</summary>
    public static HubertEncoder FromFile(string path, HubertConfig? config = null)
    {
        var model = new HubertEncoder(config ?? HubertConfig.Base);
        try
        {
            Load(model, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>SHA-256 of a weights file, recorded in the feature lineage so tokenizers fitted on other weights get other keys.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
