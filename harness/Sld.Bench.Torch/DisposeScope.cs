// Deterministic freeing of temporaries. Every tensor made while a scope is open on this thread belongs to
// the innermost scope and is freed when the scope closes, unless it was moved out (to the enclosing scope)
// or detached (the caller then owns it). A training step runs inside one scope, so nothing waits for the GC.
namespace Sld.Bench.Torch;

public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? _outer;
    private bool _disposed;

    internal DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost open scope on this thread, if any.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>Tensors this scope will free when it closes.</summary>
    public int Count => _owned.Count;

    internal static void Adopt(Tensor t)
    {
        var scope = _current;
        if (scope is null) return;
        scope._owned.Add(t);
        t.Scope = scope;
    }

    internal void Forget(Tensor t) => _owned.Remove(t);

    /// <summary>Hands the tensor to the enclosing scope (or to the caller when there is none).</summary>
    public Tensor MoveToOuter(Tensor t)
    {
        if (!ReferenceEquals(t.Scope, this)) return t;
        _owned.Remove(t);
        t.Scope = null;
        if (_outer is not null)
        {
            _outer._owned.Add(t);
            t.Scope = _outer;
        }
        return t;
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("dispose scopes must be closed in the reverse order of opening");
        _disposed = true;
        _current = _outer;
        foreach (var t in _owned) t.DisposeOwnedByScope();
        _owned.Clear();
    }
}
