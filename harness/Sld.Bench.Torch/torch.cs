// The `torch` entry point, named as in PyTorch: factories, joins, random seeds, threads, grad mode and CUDA
// queries. Functions on one tensor are methods of Tensor; nn functions are in torch.nn.functional.
using System.Runtime.InteropServices;
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch;

public static partial class torch
{
    // ---- runtime ----

    /// <summary>The libtorch version the shim was built against, e.g. "1.13.0".</summary>
    public static string version
    {
        get
        {
            Check(sldt_runtime_torch_version(out var s));
            return Marshal.PtrToStringUTF8(s) ?? "";
        }
    }

    public static void manual_seed(ulong seed) => Check(sldt_runtime_manual_seed(seed));

    /// <summary>Intra-op threads of libtorch and of OpenBLAS's own pool, so one setting governs both.</summary>
    public static void set_num_threads(int n) => Check(sldt_runtime_set_num_threads(n));

    public static int get_num_threads()
    {
        Check(sldt_runtime_get_num_threads(out var n));
        return n;
    }

    /// <summary>OpenBLAS's thread-pool size (resized by set_num_threads), or -1 when another BLAS is in use.</summary>
    public static int get_blas_num_threads()
    {
        Check(sldt_runtime_blas_num_threads(out var n));
        return n;
    }

    /// <summary>Only callable before any inter-op parallel work has started.</summary>
    public static void set_num_interop_threads(int n) => Check(sldt_runtime_set_num_interop_threads(n));

    /// <summary>Makes ops that have a deterministic variant use it, and ops that have none throw.</summary>
    public static void use_deterministic_algorithms(bool enabled) => Check(sldt_runtime_set_deterministic(enabled ? 1 : 0));

    /// <summary>Native tensor handles alive in the shim (all threads); compare with TensorHandle.LiveCount.</summary>
    public static long native_live_tensors()
    {
        Check(sldt_runtime_live_tensors(out var n));
        return n;
    }

    public static DisposeScope NewDisposeScope() => new();

    // ---- grad mode ----

    public static bool is_grad_enabled()
    {
        Check(sldt_autograd_is_grad_enabled(out var e));
        return e != 0;
    }

    /// <summary>Disables gradient recording on this thread until the returned scope is disposed.</summary>
    public static GradModeScope no_grad() => new(false);

    public static GradModeScope enable_grad() => new(true);

    public readonly struct GradModeScope : IDisposable
    {
        private readonly bool _previous;

        internal unsafe GradModeScope(bool enabled)
        {
            int previous;
            Check(sldt_autograd_set_grad_enabled(enabled ? 1 : 0, &previous));
            _previous = previous != 0;
        }

        public unsafe void Dispose() => Check(sldt_autograd_set_grad_enabled(_previous ? 1 : 0, null));
    }

    public static class cuda
    {
        public static bool is_available()
        {
            Check(sldt_runtime_cuda_is_available(out var a));
            return a != 0;
        }

        public static int device_count()
        {
            Check(sldt_runtime_cuda_device_count(out var n));
            return n;
        }

        public static void synchronize(int device = -1) => Check(sldt_runtime_cuda_synchronize(device));
    }

    // ---- factories ----

    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_empty(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, requires_grad ? 1 : 0, out var r), r);
    }

    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_zeros(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, requires_grad ? 1 : 0, out var r), r);
    }

    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_ones(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, requires_grad ? 1 : 0, out var r), r);
    }

    public static Tensor full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_full(shape, shape.Length, value, (int)dtype, (int)d.Type, d.Index, requires_grad ? 1 : 0, out var r), r);
    }

    public static Tensor zeros_like(Tensor t) => zeros(t.shape, t.dtype, t.device);

    public static Tensor ones_like(Tensor t) => ones(t.shape, t.dtype, t.device);

    public static Tensor full_like(Tensor t, double value) => full(t.shape, value, t.dtype, t.device);

    public static Tensor empty_like(Tensor t) => empty(t.shape, t.dtype, t.device);

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_arange(start, end, step, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor arange(long end, ScalarType dtype = ScalarType.Int64, Device? device = null) => arange(0, end, 1, dtype, device);

    public static Tensor linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_linspace(start, end, steps, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor eye(long n, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_eye(n, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_randn(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_rand(shape, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor randint(long low, long high, long[] shape, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_randint(low, high, shape, shape.Length, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor randperm(long n, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_randperm(n, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor hann_window(long length, bool periodic = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_hann_window(length, periodic ? 1 : 0, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    public static Tensor hamming_window(long length, bool periodic = true, double alpha = 0.54, double beta = 0.46,
                                        ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Tensor.Wrap(sldt_create_hamming_window(length, periodic ? 1 : 0, alpha, beta, (int)dtype, (int)d.Type, d.Index, out var r), r);
    }

    // ---- from managed memory ----

    /// <summary>A new CPU tensor holding a copy of <paramref name="data"/> with the given shape (default: 1-d).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        var dtype = ScalarTypeExtensions.Of<T>();
        if (shape.Length == 0) shape = [data.Length];
        fixed (T* p = data)
        {
            return Tensor.Wrap(sldt_tensor_from_buffer(p, (long)data.Length * sizeof(T), shape, shape.Length, (int)dtype, out var r), r);
        }
    }

    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged => tensor((ReadOnlySpan<T>)data, shape);

    /// <summary>A 0-d tensor.</summary>
    public static Tensor scalar_tensor(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        full([], value, dtype, device);

    /// <summary>A new CPU tensor from raw little-endian bytes, for dtypes without a .NET type (bfloat16).</summary>
    public static unsafe Tensor from_bytes(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype)
    {
        fixed (byte* p = bytes)
        {
            return Tensor.Wrap(sldt_tensor_from_buffer(p, bytes.Length, shape, shape.Length, (int)dtype, out var r), r);
        }
    }

    // ---- joins ----

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        Span<IntPtr> hs = tensors.Count <= 64 ? stackalloc IntPtr[tensors.Count] : new IntPtr[tensors.Count];
        for (var i = 0; i < tensors.Count; i++) hs[i] = tensors[i].Handle.DangerousGetHandle();
        var result = Tensor.Wrap(sldt_view_cat(hs, tensors.Count, dim, out var r), r);
        GC.KeepAlive(tensors);
        return result;
    }

    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        Span<IntPtr> hs = tensors.Count <= 64 ? stackalloc IntPtr[tensors.Count] : new IntPtr[tensors.Count];
        for (var i = 0; i < tensors.Count; i++) hs[i] = tensors[i].Handle.DangerousGetHandle();
        var result = Tensor.Wrap(sldt_view_stack(hs, tensors.Count, dim, out var r), r);
        GC.KeepAlive(tensors);
        return result;
    }

    public static Tensor where(Tensor condition, Tensor x, Tensor y) =>
        Tensor.Wrap(sldt_math_where(condition.Handle, x.Handle, y.Handle, out var r), r);

    public static Tensor where(Tensor condition, Tensor x, double y) =>
        Tensor.Wrap(sldt_math_where_scalar(condition.Handle, x.Handle, y, out var r), r);

    public static Tensor cdist(Tensor x1, Tensor x2, double p = 2) => Tensor.Wrap(sldt_linalg_cdist(x1.Handle, x2.Handle, p, out var r), r);

    public static Tensor addmm(Tensor input, Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1) =>
        Tensor.Wrap(sldt_linalg_addmm(input.Handle, mat1.Handle, mat2.Handle, beta, alpha, out var r), r);

    public static Tensor multinomial(Tensor probs, long num_samples, bool replacement = false) =>
        Tensor.Wrap(sldt_nn_multinomial(probs.Handle, num_samples, replacement ? 1 : 0, out var r), r);

    /// <summary>Short-time Fourier transform (complex result, (freq, frames) per signal).</summary>
    public static Tensor stft(Tensor input, long n_fft, long? hop_length = null, long? win_length = null, Tensor? window = null,
                              bool center = true, string pad_mode = "reflect", bool normalized = false, bool onesided = true)
    {
        if (pad_mode is not ("reflect" or "constant"))
            throw new ArgumentException($"pad_mode must be 'reflect' or 'constant', got '{pad_mode}'", nameof(pad_mode));
        var result = Tensor.Wrap(sldt_nn_stft(input.Handle, n_fft, hop_length ?? n_fft / 4, win_length ?? n_fft,
            Tensor.HandleOrZero(window), center ? 1 : 0, pad_mode == "reflect" ? 1 : 0, normalized ? 1 : 0,
            onesided ? 1 : 0, out var r), r);
        GC.KeepAlive(window);
        return result;
    }

    public static class fft
    {
        public static Tensor rfft(Tensor input, long n = -1, long dim = -1) => Tensor.Wrap(sldt_fft_rfft(input.Handle, n, dim, out var r), r);

        public static Tensor irfft(Tensor input, long n = -1, long dim = -1) => Tensor.Wrap(sldt_fft_irfft(input.Handle, n, dim, out var r), r);
    }
}
