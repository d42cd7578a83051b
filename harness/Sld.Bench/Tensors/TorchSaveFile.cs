// State dicts written by PyTorch's torch.save (the zip format), read through TorchSharp.PyBridge's unpickler.
// Checkpoints often wrap the weights ({"model": {...}}, {"state_dict": {...}}, fairseq's {"model": ..., "cfg":
// ...}); nested dictionaries are flattened to dotted names, so a wrapped state dict reads like a bare one.
using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class TorchSaveFile
{
    /// <summary>The keys that usually hold the weights inside a training checkpoint, tried in this order.</summary>
    private static readonly string[] WrapperKeys = ["model", "state_dict", "model_state_dict", "module", "network"];

    /// <summary>True when the file starts like a zip archive (torch.save's format since PyTorch 1.6).</summary>
    public static bool LooksLikeTorchSave(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var f = File.OpenRead(path);
        return f.Read(head) == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
    }

    /// <summary>
    /// Reads every tensor by dotted name, in ordinal name order (pickled dictionaries come back unordered). A checkpoint whose top level holds a dictionary under one of the usual
    /// wrapper keys yields that dictionary's tensors (with their own names); other non-tensor values are skipped.
    /// </summary>
    public static OrderedDictionary<string, Tensor> LoadStateDict(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        Hashtable top;
        try
        {
            top = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a readable torch.save state dict ({e.GetType().Name}: {e.Message})", e);
        }
        var root = WrapperKeys.Select(k => top[k]).OfType<IDictionary>().FirstOrDefault() ?? top;
        var result = new OrderedDictionary<string, Tensor>();
        Flatten(root, "", result);
        if (result.Count == 0) throw new InvalidDataException($"{path}: the torch.save file holds no tensors");
        return result;
    }

    private static void Flatten(IDictionary dict, string prefix, OrderedDictionary<string, Tensor> into)
    {
        var entries = dict.Cast<DictionaryEntry>()
            .Select(e => (name: prefix + Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture), e.Value))
            .OrderBy(e => e.name, StringComparer.Ordinal);
        foreach (var (name, value) in entries)
        {
            switch (value)
            {
                case Tensor t:
                    into[name] = t.DetachFromDisposeScope();
                    break;
                case IDictionary nested:
                    Flatten(nested, name + ".", into);
                    break;
            }
        }
    }
}
