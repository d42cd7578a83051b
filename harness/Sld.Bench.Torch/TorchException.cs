// The exception every failed native call becomes: it names the op (e.g. "matmul") and carries
// libtorch's own message (e.g. a shape mismatch), without the C++ backtrace.
namespace Sld.Bench.Torch;

public sealed class TorchException : Exception
{
    public TorchException(string nativeExport, string nativeMessage)
        : base($"{OpName(nativeExport)}: {nativeMessage}")
    {
        NativeExport = nativeExport;
        Op = OpName(nativeExport);
        NativeMessage = nativeMessage;
    }

    /// <summary>The PyTorch-style op name, e.g. "matmul" for sldt_linalg_matmul.</summary>
    public string Op { get; }

    /// <summary>The C export that failed, e.g. "sldt_linalg_matmul".</summary>
    public string NativeExport { get; }

    /// <summary>libtorch's message.</summary>
    public string NativeMessage { get; }

    private static string OpName(string export)
    {
        // sldt_<area>_<op>: drop the prefix and the area.
        if (!export.StartsWith("sldt_", StringComparison.Ordinal)) return export;
        var rest = export["sldt_".Length..];
        var underscore = rest.IndexOf('_');
        return underscore < 0 ? rest : rest[(underscore + 1)..];
    }
}
