// Mixed precision for the decoder. libtorch's C API has no autocast, so the harness does what autocast does
// for the ops that matter: inside an Autocast scope on a CUDA device, the model's linear layers cast input and
// weight to bf16/fp16 and cast the product back to float32, while norms, softmax and losses stay float32.
// On CPU every scope is a no-op, so CPU runs are float32 and bit-reproducible.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Model;

public static class Autocast
{
    [ThreadStatic] private static ScalarType? _current;

    /// <summary>The dtype linear layers compute in on this thread, or null for plain float32.</summary>
    public static ScalarType? Current => _current;

    /// <summary>Parses "fp32" / "float32", "bf16" / "bfloat16", "fp16" / "float16".</summary>
    public static ScalarType ParsePrecision(string name)
    {
        var t = TensorData.ParseScalarType(name);
        return t is ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16
            ? t
            : throw new ArgumentException($"precision must be fp32, bf16 or fp16, got '{name}'");
    }

    /// <summary>
    /// What matmuls run in for a requested precision on a device: null (float32) on CPU or when float32 was asked
    /// for, else the requested half type.
    /// </summary>
    public static ScalarType? ComputeDtype(Device device, ScalarType requested)
    {
        if (requested is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"autocast precision must be float32, bfloat16 or float16, got {requested.Name()}");
        return device.IsCuda && requested != ScalarType.Float32 ? requested : null;
    }

    /// <summary>Opens a scope in which linear layers compute in <see cref="ComputeDtype"/>; dispose to restore.</summary>
    public static Scope Enable(Device device, ScalarType requested) => new(ComputeDtype(device, requested));

    /// <summary>Opens a scope with an explicit compute dtype on any device (tests exercise the cast path on CPU).</summary>
    internal static Scope Force(ScalarType? dtype) => new(dtype);

    /// <summary>x @ weight.T + bias, computed in the current autocast dtype and returned as float32.</summary>
    public static Tensor linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (_current is not { } dt) return F.linear(x, weight, bias);
        using var scope = torch.NewDisposeScope();
        var y = F.linear(x.to(dt), weight.to(dt), bias?.to(dt)).to(ScalarType.Float32);
        return y.MoveToOuterDisposeScope();
    }

    public readonly struct Scope : IDisposable
    {
        private readonly ScalarType? _previous;

        internal Scope(ScalarType? dtype)
        {
            _previous = _current;
            _current = dtype;
        }

        public void Dispose() => _current = _previous;
    }
}
