// Shape checks where inputs enter a model, so a wrong input is an ArgumentException that names the module, the
// input and both shapes. Needed beyond politeness: TorchSharp's Tensor.matmul with mismatched shapes aborts the
// whole process inside LibTorch (no handler in its native wrapper), and other LibTorch errors name no module.
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class ShapeCheck
{
    /// <summary>
    /// Throws unless <paramref name="t"/> has <paramref name="dims"/>.Length dimensions and every non-null entry of
    /// <paramref name="dims"/> equals that size. <paramref name="layout"/> names the axes, e.g. "(B, T, C)".
    /// </summary>
    public static void Expect(Tensor t, string module, string input, string layout, params long?[] dims)
    {
        var ok = t.dim() == dims.Length;
        for (var i = 0; ok && i < dims.Length; i++) ok = dims[i] is not { } want || t.size(i) == want;
        if (!ok)
            throw new ArgumentException(
                $"{module}: {input} must be {layout} = [{string.Join(", ", dims.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*"))}], got [{string.Join(", ", t.shape)}]");
    }

    /// <summary>Throws unless <paramref name="t"/> holds <paramref name="dtype"/>.</summary>
    public static void ExpectDtype(Tensor t, string module, string input, ScalarType dtype)
    {
        if (t.dtype != dtype) throw new ArgumentException($"{module}: {input} must be {dtype.Name()}, got {t.dtype.Name()}");
    }

    /// <summary>a @ b after checking that a's last and b's second-to-last (or only) dimension agree.</summary>
    public static Tensor MatMul(Tensor a, Tensor b, string module)
    {
        var inner = b.dim() == 1 ? b.size(0) : b.size(-2);
        if (a.dim() == 0 || b.dim() == 0 || a.size(-1) != inner)
            throw new ArgumentException($"{module}: cannot multiply [{string.Join(", ", a.shape)}] by [{string.Join(", ", b.shape)}]");
        return a.matmul(b);
    }
}
