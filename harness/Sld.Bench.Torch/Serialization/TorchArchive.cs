// Reads one torch.save zip archive (the format PyTorch writes by default since 1.6): unpickles
// <archive>/data.pkl with the few PyTorch globals a checkpoint needs, and turns each persistent id
// ('storage', type, key, location, numel) into one 1-d CPU tensor read from <archive>/data/<key>. Tensors are
// rebuilt as strided views of those storages, so tensors that shared memory in Python share it here too.
using System.IO.Compression;
using System.Text;
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch.Serialization;

/// <summary>A storage class named in a persistent id (torch.FloatStorage, ...): only its element type matters.</summary>
internal sealed record StorageClass(string Name, ScalarType Dtype);

internal sealed class TorchArchive
{
    private static readonly Dictionary<string, ScalarType> StorageTypes = new()
    {
        ["FloatStorage"] = ScalarType.Float32,
        ["DoubleStorage"] = ScalarType.Float64,
        ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16,
        ["LongStorage"] = ScalarType.Int64,
        ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8,
        ["ByteStorage"] = ScalarType.UInt8,
        ["BoolStorage"] = ScalarType.Bool,
        ["ComplexFloatStorage"] = ScalarType.ComplexFloat32,
        // PyTorch 2.x names a raw byte storage (saved on its own, not through a tensor) UntypedStorage.
        ["UntypedStorage"] = ScalarType.UInt8,
    };

    private readonly string _path;
    private readonly ZipArchive _zip;
    private readonly string _prefix; // "<archive>/", taken from data.pkl's entry: PyTorch names it after the file
    private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);
    private readonly HashSet<Tensor> _storageTensors = new(ReferenceEqualityComparer.Instance);
    private readonly List<Tensor> _created = []; // every tensor made, so failures and intermediates are freed

    private TorchArchive(string path, ZipArchive zip, string prefix)
    {
        _path = path;
        _zip = zip;
        _prefix = prefix;
    }

    /// <summary>The object graph of a torch.save file; every failure is an InvalidDataException naming the file.</summary>
    public static object? Load(string path)
    {
        using var stream = Open(path);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable zip archive ({e.Message}); it may be truncated", e);
        }
        using (zip)
        {
            var archive = new TorchArchive(path, zip, FindPrefix(path, zip));
            return archive.Read();
        }
    }

    /// <summary>Opens the file after checking its first bytes, so a legacy or foreign file gets a useful message.</summary>
    private static FileStream Open(string path)
    {
        var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[32];
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        stream.Position = 0;
        if (head.StartsWith("PK"u8)) return stream;
        stream.Dispose();
        if (n > 0 && head[0] == 0x80 && head.IndexOf(LegacyMagic) >= 0) // 0x80: a pickle PROTO opcode
            throw new InvalidDataException(
                $"'{path}' is in PyTorch's legacy serialization format (_use_new_zipfile_serialization=False), " +
                "which is not read here. Re-save it in the zip format with PyTorch >= 1.6: " +
                "torch.save(torch.load(path, map_location='cpu'), new_path)");
        throw new InvalidDataException(
            n == 0 ? $"'{path}' is empty" : $"'{path}' is not a torch.save file: it does not start with a zip signature");
    }

    /// <summary>The legacy format opens with a pickled magic number, 0x1950a86a20f9469cfc6c (little-endian here).</summary>
    private static ReadOnlySpan<byte> LegacyMagic => [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    private static string FindPrefix(string path, ZipArchive zip)
    {
        // TorchScript archives hold a data.pkl too, but of TorchScript classes; constants.pkl gives them away.
        if (zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal)))
            throw new InvalidDataException(
                $"'{path}' is a TorchScript archive (torch.jit.save), not a torch.save file: in Python, load it with " +
                "torch.jit.load and torch.save(model.state_dict(), new_path)");
        var pickles = zip.Entries
            .Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
            .ToList();
        if (pickles.Count == 1) return pickles[0].FullName[..^"data.pkl".Length];
        if (pickles.Count > 1)
            throw new InvalidDataException($"'{path}' holds {pickles.Count} data.pkl records; a torch.save archive has one");
        throw new InvalidDataException($"'{path}' is a zip archive without an <archive>/data.pkl record: not a torch.save file");
    }

    private object? Read()
    {
        try
        {
            CheckByteOrder();
            var pickle = ReadEntry(_prefix + "data.pkl");
            var root = TorchPickle.Load(pickle, FindGlobal, PersistentLoad);
            // Storages and the intermediates of parameter rebuilding are not part of the result: free their handles
            // now (the views keep the memory alive) instead of leaving them to the finalizer.
            var kept = new HashSet<Tensor>(TensorsIn(root), ReferenceEqualityComparer.Instance);
            foreach (var t in _created)
                if (!kept.Contains(t)) t.Dispose();
            return root;
        }
        catch (Exception e)
        {
            foreach (var t in _created) t.Dispose();
            if (e is InvalidDataException or IOException or TorchException or OverflowException or NotSupportedException)
                throw new InvalidDataException($"cannot load '{_path}': {e.Message}", e);
            throw;
        }
    }

    private void CheckByteOrder()
    {
        // PyTorch 2.x records the byte order; 1.x writes no record and only ever little-endian data in practice.
        if (_zip.GetEntry(_prefix + "byteorder") is null) return;
        var order = Encoding.ASCII.GetString(ReadEntry(_prefix + "byteorder")).Trim();
        if (order == "little") return;
        throw new InvalidDataException(order == "big"
            ? "the tensors are stored big-endian, which this loader does not convert; re-save the file on a little-endian machine"
            : $"unknown byteorder record '{order}'");
    }

    private byte[] ReadEntry(string name)
    {
        var entry = _zip.GetEntry(name) ?? throw new InvalidDataException($"the archive has no '{name}' record");
        using var s = entry.Open();
        var bytes = new byte[checked((int)entry.Length)];
        s.ReadExactly(bytes);
        return bytes;
    }

    // ---- globals: the whole set of Python names a checkpoint may use ----

    private object FindGlobal(string module, string name)
    {
        if (module is "torch" or "torch.cuda" or "torch.storage" && StorageTypes.TryGetValue(name, out var dtype))
            return new StorageClass($"{module}.{name}", dtype); // torch.cuda.* storages: 1.6-1.11 files saved from a GPU
        var qualified = $"{module}.{name}";
        Func<object?[], object?> invoke = qualified switch
        {
            "collections.OrderedDict" => NewDict,
            "builtins.set" or "builtins.frozenset" => args => new HashSet<object?>(args.Length == 0 ? [] : Items(args[0], qualified)),
            "builtins.bytearray" => NewByteArray,
            "_codecs.encode" => EncodeLatin1,
            "torch._utils._rebuild_tensor_v2" => RebuildTensor,
            "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" => RebuildParameter,
            _ => throw new InvalidDataException(
                $"data.pkl uses the Python global '{qualified}', which this loader does not rebuild: it reads tensors, " +
                "parameters, (Ordered)dicts and plain Python values. In Python, save plain data instead, e.g. " +
                "torch.save(model.state_dict(), path) rather than the model or its config object"),
        };
        return new PythonCallable(qualified, invoke);
    }

    private static object? NewDict(object?[] args)
    {
        var dict = new OrderedDictionary<object, object?>();
        if (args.Length == 0) return dict;
        // OrderedDict(items): an old reduce form passes the (key, value) pairs as the argument.
        foreach (var pair in Items(args[0], "collections.OrderedDict"))
        {
            var kv = Items(pair, "collections.OrderedDict");
            if (kv.Count != 2 || kv[0] is null) throw new InvalidDataException("collections.OrderedDict needs (key, value) pairs");
            dict[kv[0]!] = kv[1];
        }
        return dict;
    }

    private static object? NewByteArray(object?[] args) => args switch
    {
        [] => Array.Empty<byte>(),
        [byte[] b] => b.ToArray(),
        [string s, "latin-1" or "latin1"] => Encoding.Latin1.GetBytes(s),
        _ => throw new InvalidDataException("builtins.bytearray got arguments it does not understand"),
    };

    /// <summary>How protocol 2 pickles bytes: _codecs.encode(text, 'latin1'), one char per byte.</summary>
    private static object? EncodeLatin1(object?[] args) => args switch
    {
        [string s, "latin1" or "latin-1"] when s.All(c => c <= '\u00ff') => Encoding.Latin1.GetBytes(s),
        _ => throw new InvalidDataException("_codecs.encode is only read as protocol 2 writes bytes: (text, 'latin1')"),
    };

    private static IReadOnlyList<object?> Items(object? value, string context) => value switch
    {
        List<object?> list => list,
        object?[] tuple => tuple,
        _ => throw new InvalidDataException($"{context} expects a list or tuple, not {TorchPickle.Describe(value)}"),
    };

    // ---- storages and tensors ----

    /// <summary>persistent_load: ('storage', storage class, key, location, numel) -> the 1-d storage tensor.</summary>
    private object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } id || !IsText(id[0], "storage"))
            throw new InvalidDataException($"persistent id {TorchPickle.Describe(pid)} is not ('storage', type, key, location, numel)");
        if (id[1] is not StorageClass type)
            throw new InvalidDataException($"persistent id names {TorchPickle.Describe(id[1])} where a storage class belongs");
        var key = id[2] as string ?? throw new InvalidDataException("a storage key is not a string");
        var numel = id[4] as long? ?? throw new InvalidDataException($"storage {key} has no integer element count");
        // The location (id[3], "cpu" or "cuda:0") is ignored: everything loads onto the CPU, like
        // torch.load(map_location="cpu"); callers move modules or tensors afterwards.
        if (_storages.TryGetValue(key, out var known))
        {
            if (known.dtype != type.Dtype || known.numel() != numel)
                throw new InvalidDataException($"storage {key} is used as both {known.dtype.Name()}[{known.numel()}] and {type.Dtype.Name()}[{numel}]");
            return known;
        }
        var storage = ReadStorage(key, type.Dtype, numel);
        _storages.Add(key, storage);
        _storageTensors.Add(storage);
        return storage;
    }

    private unsafe Tensor ReadStorage(string key, ScalarType dtype, long numel)
    {
        var name = $"{_prefix}data/{key}";
        var bytes = checked(numel * dtype.ElementSize());
        var entry = _zip.GetEntry(name);
        if (entry is null && bytes == 0) return Track(torch.empty([0], dtype));
        if (entry is null) throw new InvalidDataException($"the archive has no '{name}' record for storage {key}");
        if (entry.Length != bytes)
            throw new InvalidDataException($"'{name}' holds {entry.Length} bytes but {numel} {dtype.Name()} elements need {bytes}");
        // Read straight into the tensor's memory: one copy, and no 2 GiB limit of a managed array.
        var storage = Track(torch.empty([numel], dtype));
        if (bytes == 0) return storage;
        Check(sldt_tensor_data_ptr(storage.Handle, out var ptr));
        using var s = entry.Open();
        for (long done = 0; done < bytes;)
        {
            var n = (int)Math.Min(bytes - done, 1 << 24);
            s.ReadExactly(new Span<byte>((byte*)ptr + done, n));
            done += n;
        }
        return storage;
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private object? RebuildTensor(object?[] args)
    {
        if (args.Length is not (6 or 7))
            throw new InvalidDataException($"torch._utils._rebuild_tensor_v2 got {args.Length} arguments, expected 6 or 7");
        if (args[0] is not Tensor storage || !_storageTensors.Contains(storage))
            throw new InvalidDataException($"torch._utils._rebuild_tensor_v2 got {TorchPickle.Describe(args[0])} where a storage belongs");
        var offset = args[1] as long? ?? throw new InvalidDataException("a tensor's storage offset is not an integer");
        var size = Longs(args[2], "size");
        var stride = Longs(args[3], "stride");
        var requiresGrad = args[4] as bool? ?? throw new InvalidDataException("a tensor's requires_grad is not a bool");
        // backward_hooks (args[5]) are never restored, as in PyTorch itself; metadata (args[6]) holds Python-only
        // tensor attributes, which a .NET Tensor has no place for.
        CheckInBounds(storage.numel(), offset, size, stride);
        var tensor = Track(storage.as_strided(size, stride, offset));
        if (requiresGrad) tensor.requires_grad = true;
        return tensor;
    }

    /// <summary>_rebuild_parameter(data, requires_grad, backward_hooks[, state]): a detached alias of data.</summary>
    private object? RebuildParameter(object?[] args)
    {
        if (args.Length is not (3 or 4) || args[0] is not Tensor data || args[1] is not bool requiresGrad)
            throw new InvalidDataException("torch._utils._rebuild_parameter expects (tensor, requires_grad, hooks[, state])");
        // The optional state holds Python attributes set on the Parameter object; like hooks, nothing to restore here.
        var parameter = Track(data.detach());
        parameter.requires_grad = requiresGrad;
        return parameter;
    }

    private static void CheckInBounds(long storageNumel, long offset, long[] size, long[] stride)
    {
        if (size.Length != stride.Length)
            throw new InvalidDataException($"a tensor has {size.Length} sizes but {stride.Length} strides");
        if (offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0))
            throw new InvalidDataException("a tensor has a negative size, stride or storage offset");
        if (size.Any(s => s == 0)) return;
        var last = offset;
        for (var i = 0; i < size.Length; i++) last = checked(last + (size[i] - 1) * stride[i]);
        if (last >= storageNumel)
            throw new InvalidDataException(
                $"a tensor of size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}] at offset {offset} " +
                $"reaches element {last} of a storage of {storageNumel}");
    }

    private static long[] Longs(object? value, string what) =>
        Items(value, $"a tensor's {what}").Select(v => v as long? ?? throw new InvalidDataException($"a tensor's {what} holds a non-integer")).ToArray();

    private static bool IsText(object? value, string text) =>
        value is string s ? s == text : value is byte[] b && Encoding.ASCII.GetString(b) == text;

    private Tensor Track(Tensor t)
    {
        _created.Add(t);
        return t;
    }

    /// <summary>Every tensor reachable from a loaded value (cycle-safe: pickles can build self-referencing lists).</summary>
    internal static IEnumerable<Tensor> TensorsIn(object? root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            if (value is null || !seen.Add(value)) continue;
            switch (value)
            {
                case Tensor t:
                    yield return t;
                    break;
                case OrderedDictionary<object, object?> dict:
                    foreach (var (k, v) in dict)
                    {
                        pending.Push(k);
                        pending.Push(v);
                    }
                    break;
                case List<object?> list:
                    foreach (var v in list) pending.Push(v);
                    break;
                case object?[] tuple:
                    foreach (var v in tuple) pending.Push(v);
                    break;
                case HashSet<object?> set:
                    foreach (var v in set) pending.Push(v);
                    break;
            }
        }
    }
}
