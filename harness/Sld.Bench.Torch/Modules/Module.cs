// The base of every model part: named parameters, buffers and submodules in registration order, train/eval
// mode, device and dtype moves, and state dicts keyed like PyTorch's ("blocks.0.attn.c_attn.weight"), so
// weights interchange with PyTorch through safetensors or torch.save files.
namespace Sld.Bench.Torch.Modules;

public abstract class Module : IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _parameters = new();
    private readonly OrderedDictionary<string, (Tensor tensor, bool persistent)> _buffers = new();
    private readonly OrderedDictionary<string, Module> _modules = new();
    private bool _disposed;

    public bool training { get; private set; } = true;

    // ---- registration ----

    /// <summary>Registers a trainable parameter (requires_grad set, owned by the module, not by a dispose scope).</summary>
    protected Tensor register_parameter(string name, Tensor parameter)
    {
        CheckName(name);
        parameter.DetachFromDisposeScope();
        if (!parameter.is_leaf) throw new ArgumentException($"parameter '{name}' must be a leaf tensor (detach it first)");
        parameter.requires_grad = true;
        _parameters.Add(name, parameter);
        return parameter;
    }

    /// <summary>Registers state that is not trained (e.g. running statistics); persistent ones go into state dicts.</summary>
    protected Tensor register_buffer(string name, Tensor buffer, bool persistent = true)
    {
        CheckName(name);
        buffer.DetachFromDisposeScope();
        _buffers.Add(name, (buffer, persistent));
        return buffer;
    }

    protected T register_module<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _modules.Add(name, module);
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"invalid member name '{name}': non-empty and without '.'");
        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _modules.ContainsKey(name))
            throw new ArgumentException($"'{name}' is already registered on {GetType().Name}");
    }

    // ---- traversal ----

    public IEnumerable<(string name, Module module)> named_children() => _modules.Select(kv => (kv.Key, kv.Value));

    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in _modules)
            foreach (var pair in child.named_modules(Join(prefix, name)))
                yield return pair;
    }

    public IEnumerable<(string name, Tensor parameter)> named_parameters(bool recurse = true)
    {
        // A tensor shared by two modules (tied weights) is listed once, under its first name, as in PyTorch.
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
            foreach (var (name, p) in module._parameters)
                if (seen.Add(p))
                    yield return (Join(prefix, name), p);
    }

    public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
    {
        foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
            foreach (var (name, b) in module._buffers)
                yield return (Join(prefix, name), b.tensor);
    }

    /// <summary>Number of trainable elements (shared tensors counted once).</summary>
    public long parameter_count() => parameters().Sum(p => p.numel());

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    // ---- modes and moves ----

    public Module train(bool mode = true)
    {
        foreach (var (_, m) in named_modules()) m.training = mode;
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves every parameter and buffer in place (their Tensor objects stay the same).</summary>
    public Module to(Device device) => Apply(t => t.to(device));

    /// <summary>Casts floating-point parameters and buffers; integer buffers keep their type.</summary>
    public Module to(ScalarType dtype) => Apply(t => t.dtype.IsFloatingPoint() ? t.to(dtype) : t.alias());

    private Module Apply(Func<Tensor, Tensor> convert)
    {
        using var _ = torch.no_grad();
        foreach (var (_, module) in named_modules())
        {
            foreach (var (_, p) in module._parameters) Replace(p, convert);
            foreach (var (_, b) in module._buffers) Replace(b.tensor, convert);
        }
        return this;
    }

    private static void Replace(Tensor t, Func<Tensor, Tensor> convert)
    {
        using var moved = convert(t);
        t.set_data(moved);
        using var g = t.grad;
        if (g is null) return;
        using var movedGrad = convert(g);
        t.grad = movedGrad;
    }

    public void zero_grad(bool set_to_none = true)
    {
        var ps = parameters().ToList();
        var hs = ps.Select(p => p.Handle.DangerousGetHandle()).ToArray();
        Native.NativeMethods.Check(Native.NativeMethods.sldt_autograd_zero_grad(hs, hs.Length, set_to_none ? 1 : 0));
        GC.KeepAlive(ps);
    }

    // ---- state dicts ----

    /// <summary>Parameters and persistent buffers by dotted name (aliases of the live tensors, not copies).</summary>
    public OrderedDictionary<string, Tensor> state_dict()
    {
        var result = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, module) in named_modules())
        {
            foreach (var (name, p) in module._parameters) result[Join(prefix, name)] = p;
            foreach (var (name, b) in module._buffers)
                if (b.persistent) result[Join(prefix, name)] = b.tensor;
        }
        return result;
    }

    /// <summary>
    /// Copies values into the live parameters and buffers (converting dtype and device). With strict, a missing
    /// or unexpected key is an error; a shape mismatch always is. Returns the keys that were not used and not filled.
    /// </summary>
    public (IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) load_state_dict(
        IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = state_dict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new InvalidDataException(
                $"state dict does not match {GetType().Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        using var _ = torch.no_grad();
        foreach (var (key, target) in own)
        {
            if (!state.TryGetValue(key, out var source)) continue;
            var want = target.shape;
            var have = source.shape;
            if (!want.SequenceEqual(have))
                throw new InvalidDataException($"state dict entry '{key}' has shape [{string.Join(", ", have)}] but the model expects [{string.Join(", ", want)}]");
            target.copy_(source);
        }
        return (missing, unexpected);
    }

    // ---- lifetime ----

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (var (_, m) in _modules) m.Dispose();
        foreach (var (_, p) in _parameters) p.Dispose();
        foreach (var (_, b) in _buffers) b.tensor.Dispose();
    }
}

/// <summary>A module with one input and one output; call it with <see cref="call"/> or <see cref="forward"/>.</summary>
public abstract class Module<TIn, TOut> : Module
{
    public abstract TOut forward(TIn input);

    public TOut call(TIn input) => forward(input);
}
