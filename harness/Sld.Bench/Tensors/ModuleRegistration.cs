// Registration helpers that return what they register, so a model's constructor can assign and register in one
// line (`c_attn = this.Register("c_attn", nn.Linear(...))`) under the name its state dict uses, independent of
// C# field names. TorchSharp's own register_* methods return nothing.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class ModuleRegistration
{
    public static T Register<T>(this nn.Module parent, string name, T child) where T : nn.Module
    {
        parent.register_module(name, child);
        return child;
    }

    /// <summary>Registers <paramref name="value"/> as a trainable parameter (the tensor is taken over, not copied).</summary>
    public static Parameter RegisterParameter(this nn.Module parent, string name, Tensor value)
    {
        var p = value as Parameter ?? new Parameter(value.DetachFromDisposeScope(), requires_grad: true);
        parent.register_parameter(name, p);
        return p;
    }

    public static Tensor RegisterBuffer(this nn.Module parent, string name, Tensor value, bool persistent = true)
    {
        value.DetachFromDisposeScope();
        parent.register_buffer(name, value, persistent);
        return value;
    }

    /// <summary>Number of trainable elements (a tensor shared by two modules counts once).</summary>
    public static long ParameterCount(this nn.Module module) => module.parameters().Sum(p => p.numel());
}

/// <summary>Weights in and out of modules by state-dict name, with errors that name the file and the keys.</summary>
public static class ModuleState
{
    /// <summary>
    /// Copies <paramref name="state"/> into the live parameters and buffers (converting dtype and device). A missing
    /// or unexpected key (with <paramref name="strict"/>) or a shape mismatch is an <see cref="InvalidDataException"/>
    /// naming <paramref name="source"/> and every offending key.
    /// </summary>
    public static (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) LoadWeights(
        this nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source, bool strict = true)
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new InvalidDataException(
                $"{source} does not match {module.GetType().Name}: missing [{Keys(missing)}], unexpected [{Keys(unexpected)}]");
        var wrongShape = own.Where(kv => state.TryGetValue(kv.Key, out var s) && !s.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"'{kv.Key}' is [{string.Join(", ", state[kv.Key].shape)}], the model's [{string.Join(", ", kv.Value.shape)}]")
            .ToList();
        if (wrongShape.Count > 0) throw new InvalidDataException($"{source}: {string.Join("; ", wrongShape.Take(10))}");
        using var _ = no_grad();
        foreach (var (key, target) in own)
            if (state.TryGetValue(key, out var value)) target.copy_(value);
        return (missing, unexpected);
    }

    /// <summary>Writes the state dict and metadata to one safetensors file (temporary file + rename).</summary>
    public static void SaveWeights(this nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Save(path, module.state_dict(), metadata);

    private static string Keys(List<string> keys) =>
        keys.Count <= 12 ? string.Join(", ", keys) : $"{string.Join(", ", keys.Take(12))}, ... {keys.Count - 12} more";
}
