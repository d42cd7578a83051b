// Moving numbers between .NET memory and tensors: the element sizes of dtypes, raw bytes in and out (safetensors,
// caches), and host arrays of any tensor. TorchSharp reads data only from CPU tensors in their storage order, so
// these helpers copy to the host and make the layout contiguous first, inside their own dispose scope.
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class TensorData
{
    /// <summary>Bytes per element of a dtype.</summary>
    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentException($"no element size known for {t}"),
    };

    /// <summary>PyTorch's name of a dtype ("float32", "bfloat16", ...), as configs and metadata spell it.</summary>
    public static string Name(this ScalarType t) => t switch
    {
        ScalarType.Byte => "uint8",
        ScalarType.Int8 => "int8",
        ScalarType.Int16 => "int16",
        ScalarType.Int32 => "int32",
        ScalarType.Int64 => "int64",
        ScalarType.Float16 => "float16",
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.ComplexFloat32 => "complex64",
        ScalarType.Bool => "bool",
        ScalarType.BFloat16 => "bfloat16",
        _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses PyTorch's dtype names and their short forms (fp32, bf16, fp16, half, long, ...).</summary>
    public static ScalarType ParseScalarType(string name) => name.Trim().ToLowerInvariant() switch
    {
        "uint8" => ScalarType.Byte,
        "int8" => ScalarType.Int8,
        "int16" => ScalarType.Int16,
        "int32" or "int" => ScalarType.Int32,
        "int64" or "long" => ScalarType.Int64,
        "float16" or "half" or "fp16" => ScalarType.Float16,
        "float32" or "float" or "fp32" => ScalarType.Float32,
        "float64" or "double" or "fp64" => ScalarType.Float64,
        "bool" => ScalarType.Bool,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"unknown dtype '{name}'; valid: float32 (fp32), bfloat16 (bf16), float16 (fp16), float64, int64, int32, int16, int8, uint8, bool"),
    };

    /// <summary>True for float16, bfloat16, float32 and float64.</summary>
    public static bool IsFloatingPoint(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>The elements in row-major order, converted to <typeparamref name="T"/> and copied to a new host array.</summary>
    public static T[] ToArray<T>(this Tensor t) where T : unmanaged
    {
        using var scope = NewDisposeScope();
        // Through the raw bytes: TensorAccessor<T>.ToArray walks elements and is 4-9x slower.
        var host = t.detach().cpu().to(DtypeOf<T>()).contiguous();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(host.bytes).ToArray();
    }

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>, which must hold exactly numel.</summary>
    public static void CopyTo<T>(this Tensor t, Span<T> destination) where T : unmanaged
    {
        if (destination.Length != t.numel())
            throw new ArgumentException($"a tensor of {t.numel()} elements cannot fill a span of {destination.Length}");
        using var scope = NewDisposeScope();
        var host = t.detach().cpu().to(DtypeOf<T>()).contiguous();
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(host.bytes).CopyTo(destination);
    }

    /// <summary>
    /// The memory of a CPU tensor in row-major order, without copying. Valid while the tensor lives and is not
    /// resized; the tensor must be contiguous (an error says so otherwise).
    /// </summary>
    public static Span<T> HostSpan<T>(this Tensor t) where T : unmanaged
    {
        if (t.device_type != DeviceType.CPU || !t.is_contiguous())
            throw new ArgumentException($"HostSpan needs a contiguous CPU tensor, got {t.device} with shape [{string.Join(", ", t.shape)}]");
        if (t.dtype != DtypeOf<T>()) throw new ArgumentException($"HostSpan<{typeof(T).Name}> of a {t.dtype.Name()} tensor");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(t.bytes);
    }

    /// <summary>The elements' bytes in row-major order (little-endian, as in memory).</summary>
    public static byte[] ToBytes(this Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().bytes.ToArray();
    }

    /// <summary>A new CPU tensor holding a copy of <paramref name="bytes"/> (row-major, little-endian).</summary>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype)
    {
        var numel = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (numel * dtype.ElementSize() != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes do not make a [{string.Join(", ", shape)}] {dtype} tensor");
        var t = empty(shape, dtype);
        if (bytes.Length > 0) bytes.CopyTo(t.bytes);
        return t;
    }

    /// <summary>A new tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor FromArray<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged =>
        FromBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape, DtypeOf<T>());

    private static ScalarType DtypeOf<T>() where T : unmanaged => default(T) switch
    {
        float => ScalarType.Float32,
        double => ScalarType.Float64,
        long => ScalarType.Int64,
        int => ScalarType.Int32,
        short => ScalarType.Int16,
        byte => ScalarType.Byte,
        sbyte => ScalarType.Int8,
        bool => ScalarType.Bool,
        Half => ScalarType.Float16,
        _ => throw new ArgumentException($"no tensor dtype for {typeof(T).Name}"),
    };
}
