// A tensor: one owning SafeHandle over a libtorch at::Tensor, with PyTorch's names for its properties and
// ops (the op families live in the Tensor.*.cs partial files). Tensors made inside a DisposeScope are freed
// when it closes; others are freed by Dispose() or, failing that, by the SafeHandle's finalizer.
using System.Runtime.InteropServices;
using Sld.Bench.Torch.Native;
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch;

public sealed partial class Tensor : IDisposable
{
    private TensorHandle? _handle;

    internal Tensor(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw new ArgumentException("null native tensor handle", nameof(handle));
        _handle = new TensorHandle(handle);
        DisposeScope.Adopt(this);
    }

    internal DisposeScope? Scope { get; set; }

    internal TensorHandle Handle =>
        _handle ?? throw new ObjectDisposedException(nameof(Tensor), "the tensor was already disposed (by a DisposeScope?)");

    public bool IsDisposed => _handle is null;

    /// <summary>Wraps a fresh native handle after checking the call's status.</summary>
    internal static Tensor Wrap(int status, IntPtr handle)
    {
        Check(status);
        return new Tensor(handle);
    }

    internal static (Tensor, Tensor) Wrap2(int status, IntPtr a, IntPtr b)
    {
        Check(status);
        return (new Tensor(a), new Tensor(b));
    }

    internal static IntPtr HandleOrZero(Tensor? t) => t is null ? IntPtr.Zero : t.Handle.DangerousGetHandle();

    public void Dispose()
    {
        if (_handle is null) return;
        Scope?.Forget(this);
        Scope = null;
        _handle.Dispose();
        _handle = null;
    }

    internal void DisposeOwnedByScope()
    {
        Scope = null;
        _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Moves this tensor out of its dispose scope into the enclosing one (see DisposeScope.MoveToOuter).</summary>
    public Tensor MoveToOuterDisposeScope() => Scope is null ? this : Scope.MoveToOuter(this);

    /// <summary>Takes this tensor out of any dispose scope: the caller now owns it and must Dispose it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Forget(this);
        Scope = null;
        return this;
    }

    // ---- metadata ----

    public ScalarType dtype
    {
        get
        {
            Check(sldt_tensor_dtype(Handle, out var d));
            return (ScalarType)d;
        }
    }

    public Device device
    {
        get
        {
            Check(sldt_tensor_device(Handle, out var type, out var index));
            return new Device((DeviceType)type, index);
        }
    }

    public long dim()
    {
        Check(sldt_tensor_dim(Handle, out var d));
        return d;
    }

    public long[] shape
    {
        get
        {
            var n = (int)dim();
            var sizes = new long[n];
            Check(sldt_tensor_sizes(Handle, sizes, n));
            return sizes;
        }
    }

    public long[] stride()
    {
        var n = (int)dim();
        var strides = new long[n];
        Check(sldt_tensor_strides(Handle, strides, n));
        return strides;
    }

    /// <summary>Size of one dimension; negative dims count from the end.</summary>
    public long size(long d)
    {
        Span<long> sizes = stackalloc long[16];
        var n = (int)dim();
        if (n > sizes.Length) return shape[(int)Normalize(d, n)];
        Check(sldt_tensor_sizes(Handle, sizes, sizes.Length));
        return sizes[(int)Normalize(d, n)];
    }

    private static long Normalize(long d, long n)
    {
        var r = d < 0 ? d + n : d;
        if (r < 0 || r >= n) throw new ArgumentOutOfRangeException(nameof(d), d, $"dimension out of range for a {n}-d tensor");
        return r;
    }

    public long numel()
    {
        Check(sldt_tensor_numel(Handle, out var n));
        return n;
    }

    public bool is_contiguous()
    {
        Check(sldt_tensor_is_contiguous(Handle, out var c));
        return c != 0;
    }

    public long storage_offset()
    {
        Check(sldt_tensor_storage_offset(Handle, out var o));
        return o;
    }

    public long element_size() => dtype.ElementSize();

    public bool defined()
    {
        Check(sldt_tensor_defined(Handle, out var d));
        return d != 0;
    }

    // ---- scalars and host transfers ----

    public T item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half))
        {
            Check(sldt_tensor_item_double(Handle, out var d));
            if (typeof(T) == typeof(double)) return (T)(object)d;
            if (typeof(T) == typeof(float)) return (T)(object)(float)d;
            return (T)(object)(Half)d;
        }
        Check(sldt_tensor_item_int64(Handle, out var l));
        if (typeof(T) == typeof(long)) return (T)(object)l;
        if (typeof(T) == typeof(int)) return (T)(object)checked((int)l);
        if (typeof(T) == typeof(bool)) return (T)(object)(l != 0);
        if (typeof(T) == typeof(short)) return (T)(object)checked((short)l);
        if (typeof(T) == typeof(byte)) return (T)(object)checked((byte)l);
        if (typeof(T) == typeof(sbyte)) return (T)(object)checked((sbyte)l);
        throw new NotSupportedException($"item<{typeof(T).Name}> is not supported");
    }

    /// <summary>Copies the elements (any device, any layout) into a new managed array in row-major order.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var result = new T[checked((int)numel())];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements into a managed span of exactly numel() elements.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        var bytes = (long)destination.Length * sizeof(T);
        fixed (T* p = destination) Check(sldt_tensor_copy_to_buffer(Handle, p, bytes));
    }

    /// <summary>The raw bytes of the elements in row-major order (for any dtype, bfloat16 included).</summary>
    public unsafe byte[] ToBytes()
    {
        var result = new byte[checked(numel() * element_size())];
        fixed (byte* p = result) Check(sldt_tensor_copy_to_buffer(Handle, p, result.Length));
        return result;
    }

    /// <summary>
    /// A view of a contiguous CPU tensor's memory, without copying. The span is valid only while this
    /// tensor is alive and not modified in place by other code.
    /// </summary>
    public unsafe Span<T> data<T>() where T : unmanaged
    {
        CheckElementType<T>();
        if (!is_contiguous()) throw new InvalidOperationException("data<T>() needs a contiguous tensor; call contiguous() first");
        Check(sldt_tensor_data_ptr(Handle, out var ptr));
        return new Span<T>((void*)ptr, checked((int)numel()));
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        var actual = dtype;
        if (actual != expected)
            throw new InvalidOperationException($"tensor has dtype {actual.Name()} but {typeof(T).Name} ({expected.Name()}) was asked for");
    }

    /// <summary>libtorch's full printout of the values.</summary>
    public string str()
    {
        Check(sldt_tensor_to_string(Handle, out var s));
        return Marshal.PtrToStringUTF8(s) ?? "";
    }

    public override string ToString() =>
        _handle is null ? "Tensor(disposed)" : $"Tensor[{string.Join(", ", shape)}] {dtype.Name()} {device}";

    // ---- dtype and device ----

    public Tensor to(ScalarType type) => Wrap(sldt_tensor_to_dtype(Handle, (int)type, out var r), r);

    public Tensor to(Device d, bool non_blocking = false) =>
        Wrap(sldt_tensor_to_device(Handle, (int)d.Type, d.Index, non_blocking ? 1 : 0, out var r), r);

    public Tensor to(string deviceSpec) => to(Device.Parse(deviceSpec));

    public Tensor cpu() => to(Device.CPU);

    public Tensor cuda(int index = 0) => to(Device.CUDA(index));

    public Tensor @float() => to(ScalarType.Float32);

    public Tensor @double() => to(ScalarType.Float64);

    public Tensor half() => to(ScalarType.Float16);

    public Tensor bfloat16() => to(ScalarType.BFloat16);

    public Tensor @long() => to(ScalarType.Int64);

    public Tensor @int() => to(ScalarType.Int32);

    public Tensor @bool() => to(ScalarType.Bool);

    public Tensor clone() => Wrap(sldt_tensor_clone(Handle, out var r), r);

    public Tensor contiguous() => Wrap(sldt_tensor_contiguous(Handle, out var r), r);

    /// <summary>A second managed handle to the same native tensor (shares storage and autograd identity).</summary>
    public Tensor alias() => Wrap(sldt_tensor_alias(Handle, out var r), r);

    // ---- in-place updates ----

    /// <summary>Replaces this tensor's data, keeping its identity (PyTorch's <c>param.data = x</c>).</summary>
    public void set_data(Tensor data) => Check(sldt_tensor_set_data(Handle, data.Handle));

    public Tensor copy_(Tensor src)
    {
        Check(sldt_tensor_copy_(Handle, src.Handle));
        return this;
    }

    public Tensor fill_(double value)
    {
        Check(sldt_tensor_fill_(Handle, value));
        return this;
    }

    public Tensor zero_()
    {
        Check(sldt_tensor_zero_(Handle));
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1)
    {
        Check(sldt_tensor_normal_(Handle, mean, std));
        return this;
    }

    public Tensor uniform_(double from = 0, double to = 1)
    {
        Check(sldt_tensor_uniform_(Handle, from, to));
        return this;
    }

    public Tensor add_(Tensor other, double alpha = 1)
    {
        Check(sldt_tensor_add_(Handle, other.Handle, alpha));
        return this;
    }

    /// <summary>this *= other, in place (other broadcasts to this tensor's shape).</summary>
    public Tensor mul_(Tensor other)
    {
        Check(sldt_tensor_mul_(Handle, other.Handle));
        return this;
    }

    public Tensor mul_(double value)
    {
        Check(sldt_tensor_mul_scalar_(Handle, value));
        return this;
    }

    public Tensor masked_fill_(Tensor mask, double value)
    {
        Check(sldt_tensor_masked_fill_(Handle, mask.Handle, value));
        return this;
    }

    /// <summary>x[indices] = values (or += with accumulate); a null index means a full slice of that dim.</summary>
    public Tensor index_put_(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        Span<IntPtr> hs = stackalloc IntPtr[indices.Length];
        for (var i = 0; i < indices.Length; i++) hs[i] = HandleOrZero(indices[i]);
        Check(sldt_tensor_index_put_(Handle, hs, indices.Length, values.Handle, accumulate ? 1 : 0));
        GC.KeepAlive(indices);
        return this;
    }

    // ---- autograd ----

    public bool requires_grad
    {
        get
        {
            Check(sldt_autograd_requires_grad(Handle, out var r));
            return r != 0;
        }
        set => Check(sldt_autograd_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool value = true)
    {
        requires_grad = value;
        return this;
    }

    public bool is_leaf
    {
        get
        {
            Check(sldt_autograd_is_leaf(Handle, out var r));
            return r != 0;
        }
    }

    /// <summary>The accumulated gradient, or null when none has been computed (a new handle each call).</summary>
    public Tensor? grad
    {
        get
        {
            Check(sldt_autograd_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set
        {
            Check(sldt_autograd_set_grad(Handle, HandleOrZero(value)));
            GC.KeepAlive(value);
        }
    }

    public void backward(Tensor? gradient = null, bool retain_graph = false)
    {
        Check(sldt_autograd_backward(Handle, HandleOrZero(gradient), retain_graph ? 1 : 0));
        GC.KeepAlive(gradient);
    }

    public Tensor detach() => Wrap(sldt_autograd_detach(Handle, out var r), r);

    public void retain_grad() => Check(sldt_autograd_retain_grad(Handle));
}
