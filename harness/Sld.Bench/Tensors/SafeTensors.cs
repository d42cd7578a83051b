// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw little-endian data. Files we write are readable by the
// reference implementation; files are read through a memory map and validated before any tensor is built.
// Ours rather than TorchSharp.PyBridge's because checkpoints carry their config in `__metadata__`, which
// PyBridge's reader ignores and its writer never writes.
using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class SafeTensors
{
    private const int MaxHeaderBytes = 100 * 1024 * 1024; // the reference implementation's limit

    private static readonly (ScalarType type, string code)[] Codes =
    [
        (ScalarType.Float32, "F32"), (ScalarType.Float16, "F16"), (ScalarType.BFloat16, "BF16"), (ScalarType.Float64, "F64"),
        (ScalarType.Int64, "I64"), (ScalarType.Int32, "I32"), (ScalarType.Int16, "I16"), (ScalarType.Int8, "I8"),
        (ScalarType.Byte, "U8"), (ScalarType.Bool, "BOOL"),
    ];

    public static string DtypeCode(ScalarType t) =>
        Codes.FirstOrDefault(c => c.type == t).code ?? throw new ArgumentException($"safetensors has no code for {t}");

    private static ScalarType FromCode(string code, string path, string name) =>
        Codes.FirstOrDefault(c => c.code == code).code is not null
            ? Codes.First(c => c.code == code).type
            : throw new InvalidDataException($"{path}: tensor '{name}' has dtype '{code}', which Sld.Bench does not read");

    /// <summary>
    /// Writes the tensors (any device; copied to host) and optional string metadata. The file is written under a
    /// temporary name and renamed, so a crash never leaves a truncated file at <paramref name="path"/>.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = tensors.ToList();
        var duplicate = entries.GroupBy(e => e.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"tensor name '{duplicate.Key}' appears twice");
        if (entries.Any(e => e.Key == "__metadata__")) throw new ArgumentException("'__metadata__' is reserved");
        // Same order as the reference writer: larger element types first (keeps data aligned), then by name.
        var ordered = entries
            .Select(e => (name: e.Key, tensor: e.Value, dtype: e.Value.dtype))
            .OrderByDescending(e => e.dtype.ElementSize())
            .ThenBy(e => e.name, StringComparer.Ordinal)
            .ToList();

        using var headerStream = new MemoryStream();
        long offset = 0;
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (var (name, tensor, dtype) in ordered)
            {
                var bytes = tensor.numel() * dtype.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", DtypeCode(dtype));
                json.WriteStartArray("shape");
                foreach (var s in tensor.shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        var header = headerStream.ToArray();
        var padded = (header.Length + 7) / 8 * 8; // pad with spaces so the data starts 8-byte aligned

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BitConverter.TryWriteBytes(length, (ulong)padded);
                file.Write(length);
                file.Write(header);
                for (var i = header.Length; i < padded; i++) file.WriteByte((byte)' ');
                foreach (var (_, tensor, _) in ordered) file.Write(tensor.ToBytes());
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Reads every tensor (as CPU tensors owned by the caller, outside any dispose scope).</summary>
    public static OrderedDictionary<string, Tensor> Load(string path) => LoadWithMetadata(path).tensors;

    public static (OrderedDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) LoadWithMetadata(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        var fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new InvalidDataException($"{path}: {fileLength} bytes is too short for a safetensors file");
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
        var headerLength = view.ReadUInt64(0);
        if (headerLength > MaxHeaderBytes || 8 + (long)headerLength > fileLength)
            throw new InvalidDataException($"{path}: header length {headerLength} does not fit a {fileLength}-byte file (truncated or not safetensors)");
        var header = new byte[headerLength];
        view.ReadArray(8, header, 0, header.Length);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        var specs = ParseHeader(path, header, out var metadata);
        // The data must be exactly covered by the tensors, without holes or overlaps (as the reference checks).
        long expectedStart = 0;
        foreach (var spec in specs.OrderBy(s => s.begin))
        {
            if (spec.begin != expectedStart)
                throw new InvalidDataException($"{path}: tensor '{spec.name}' starts at byte {spec.begin}, expected {expectedStart} (hole or overlap)");
            expectedStart = spec.end;
        }
        if (expectedStart != dataLength)
            throw new InvalidDataException($"{path}: tensors cover {expectedStart} data bytes but the file holds {dataLength} (truncated?)");

        var result = new OrderedDictionary<string, Tensor>();
        try
        {
            unsafe
            {
                byte* basePtr = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
                try
                {
                    basePtr += view.PointerOffset;
                    foreach (var spec in specs)
                    {
                        var bytes = new ReadOnlySpan<byte>(basePtr + dataStart + spec.begin, checked((int)(spec.end - spec.begin)));
                        result[spec.name] = TensorData.FromBytes(bytes, spec.shape, spec.dtype).DetachFromDisposeScope();
                    }
                }
                finally
                {
                    view.SafeMemoryMappedViewHandle.ReleasePointer();
                }
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return (result, metadata);
    }

    private readonly record struct Spec(string name, ScalarType dtype, long[] shape, long begin, long end);

    private static List<Spec> ParseHeader(string path, byte[] header, out IReadOnlyDictionary<string, string> metadata)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(Encoding.UTF8.GetString(header).TrimEnd(' '));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the safetensors header is not valid JSON ({e.Message})", e);
        }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: the safetensors header is not a JSON object");
        var meta = new Dictionary<string, string>();
        var specs = new List<Spec>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                foreach (var m in entry.Value.EnumerateObject())
                    meta[m.Name] = m.Value.ValueKind == JsonValueKind.String
                        ? m.Value.GetString()!
                        : throw new InvalidDataException($"{path}: metadata value '{m.Name}' is not a string");
                continue;
            }
            try
            {
                var dtype = FromCode(entry.Value.GetProperty("dtype").GetString() ?? "", path, entry.Name);
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(s => s.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' has invalid data_offsets");
                if (shape.Any(s => s < 0)) throw new InvalidDataException($"{path}: tensor '{entry.Name}' has a negative dimension");
                var numel = shape.Aggregate(1L, (a, b) => checked(a * b));
                if (numel * dtype.ElementSize() != offsets[1] - offsets[0])
                    throw new InvalidDataException(
                        $"{path}: tensor '{entry.Name}' of shape [{string.Join(", ", shape)}] {dtype} needs {numel * dtype.ElementSize()} bytes but its range holds {offsets[1] - offsets[0]}");
                specs.Add(new Spec(entry.Name, dtype, shape, offsets[0], offsets[1]));
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
            {
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' has a malformed header entry ({e.Message})", e);
            }
        }
        metadata = meta;
        return specs;
    }
}
