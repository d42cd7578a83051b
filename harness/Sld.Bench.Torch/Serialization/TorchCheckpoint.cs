// Loading PyTorch torch.save files (state dicts, full training checkpoints, Hugging Face pytorch_model.bin)
// into this binding's tensors, without Python: the whole object graph, a flat state dict with dotted keys,
// or straight into a Module. Only the zip format (PyTorch >= 1.6's default) is read; see TorchArchive.
using System.Globalization;
using Sld.Bench.Torch.Modules;

namespace Sld.Bench.Torch.Serialization;

public static class TorchCheckpoint
{
    /// <summary>
    /// The object torch.save wrote, with Python values as .NET values: None -> null, bool -> bool, int -> long
    /// (System.Numerics.BigInteger beyond 64 bits), float -> double, str -> string, bytes and bytearray -> byte[],
    /// tuple -> object?[], list -> List&lt;object?&gt;, dict and OrderedDict -> OrderedDictionary&lt;object, object?&gt;
    /// (insertion order kept; tuple keys compare by reference), set and frozenset -> HashSet&lt;object?&gt;, tensor
    /// and Parameter -> a CPU Tensor (requires_grad as saved). Tensors that shared storage in Python are views of
    /// one storage here. The caller owns the tensors (they join the current DisposeScope, if any). Any other Python
    /// class, a legacy (non-zip) file or a damaged file throws InvalidDataException naming the file.
    /// </summary>
    public static object? Load(string path) => TorchArchive.Load(path);

    /// <summary>
    /// Every tensor of the file (or of its top-level entry <paramref name="key"/>, e.g. "model" or "state_dict")
    /// by dotted name: nested dicts join their keys with '.', lists and tuples contribute their indices, so
    /// {"model": {"proj.weight": w}} gives "model.proj.weight". Tensors outside the result are freed.
    /// </summary>
    public static OrderedDictionary<string, Tensor> LoadStateDict(string path, string? key = null)
    {
        var root = Load(path);
        try
        {
            var selected = root;
            if (key is not null)
            {
                if (root is not OrderedDictionary<object, object?> top)
                    throw new InvalidDataException($"'{path}' holds {Describe(root)}, not a dict, so it has no entry '{key}'");
                if (!top.TryGetValue(key, out selected))
                    throw new KeyNotFoundException(
                        $"'{path}' has no top-level entry '{key}'; it has: {string.Join(", ", top.Keys.Select(k => $"'{k}'"))}");
            }
            if (selected is not OrderedDictionary<object, object?> dict)
                throw new InvalidDataException(
                    $"'{path}'{(key is null ? "" : $" entry '{key}'")} holds {Describe(selected)}, not a dict of tensors; use TorchCheckpoint.Load");
            var result = new OrderedDictionary<string, Tensor>();
            Flatten(dict, "", result, path, 0);
            FreeAllBut(root, result.Values);
            return result;
        }
        catch
        {
            FreeAllBut(root, []);
            throw;
        }
    }

    /// <summary>
    /// Loads a torch.save file into this module's parameters and buffers through <see cref="Module.load_state_dict"/>
    /// (dtype converted, copied onto the module's device). <paramref name="key"/> picks a top-level entry of a
    /// training checkpoint, e.g. "model". The loaded tensors are freed before this returns.
    /// </summary>
    public static (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_torch_checkpoint(
        this Module module, string path, string? key = null, bool strict = true)
    {
        using var scope = torch.NewDisposeScope();
        var state = LoadStateDict(path, key);
        try
        {
            return module.load_state_dict(state, strict);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}'{(key is null ? "" : $" entry '{key}'")}: {e.Message}", e);
        }
    }

    // Deeper than any real checkpoint; a pickle can build a container that holds itself, which must not recurse forever.
    private const int MaxDepth = 100;

    private static void Flatten(OrderedDictionary<object, object?> dict, string prefix, OrderedDictionary<string, Tensor> result,
                                string path, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"'{path}': containers nest deeper than {MaxDepth} levels at '{prefix}'");
        foreach (var (k, v) in dict)
        {
            var name = k switch
            {
                string s => s,
                long l => l.ToString(CultureInfo.InvariantCulture),
                bool b => b ? "True" : "False",
                _ => null,
            };
            // A key that cannot be part of a dotted name only matters when tensors hang below it.
            if (name is null)
            {
                if (TorchArchive.TensorsIn(v).Any())
                    throw new InvalidDataException($"'{path}': tensors under a {Describe(k)} key in '{prefix}' have no dotted name");
                continue;
            }
            Add(prefix.Length == 0 ? name : $"{prefix}.{name}", v, result, path, depth + 1);
        }
    }

    private static void Add(string name, object? value, OrderedDictionary<string, Tensor> result, string path, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException($"'{path}': containers nest deeper than {MaxDepth} levels at '{name}'");
        switch (value)
        {
            case Tensor t:
                if (!result.TryAdd(name, t))
                    throw new InvalidDataException($"'{path}': two tensors flatten to the same name '{name}'");
                break;
            case OrderedDictionary<object, object?> dict:
                Flatten(dict, name, result, path, depth);
                break;
            case IReadOnlyList<object?> items:
                for (var i = 0; i < items.Count; i++) Add($"{name}.{i}", items[i], result, path, depth + 1);
                break;
        }
    }

    private static void FreeAllBut(object? root, IEnumerable<Tensor> keep)
    {
        var kept = new HashSet<Tensor>(keep, ReferenceEqualityComparer.Instance);
        foreach (var t in TorchArchive.TensorsIn(root))
            if (!kept.Contains(t)) t.Dispose();
    }

    private static string Describe(object? value) => value is null ? "None" : $"a {value.GetType().Name}";
}
