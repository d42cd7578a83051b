// NumPy's .npy format (version 1.0, little-endian, C order) for float32 and float16 arrays, so features can be
// opened with numpy.load and compared with other toolkits; the reader is what tests and tools need back.
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public static partial class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a float32 or float16 CPU tensor of any shape (atomically: temporary file, then rename).</summary>
    public static void Write(string path, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.cpu().contiguous();
        var descr = cpu.dtype switch
        {
            ScalarType.Float32 => "<f4",
            ScalarType.Float16 => "<f2",
            ScalarType.Float64 => "<f8",
            var other => throw new ArgumentException($"npy writer supports float16/32/64, not {other.Name()}"),
        };
        WriteRaw(path, descr, cpu.shape, cpu.ToBytes());
    }

    public static void Write(string path, ReadOnlySpan<float> data, params long[] shape) =>
        WriteRaw(path, "<f4", shape, MemoryMarshal.AsBytes(data).ToArray());

    private static void WriteRaw(string path, string descr, long[] shape, byte[] payload)
    {
        var dims = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}";
        // Pad so the data starts on a 64-byte boundary, as numpy itself does; the header ends with '\n'.
        var total = Magic.Length + 4 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        var temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
            stream.Write(length);
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(payload);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a little-endian C-order float32 or float16 array as float32 values and its shape.</summary>
    public static (float[] data, long[] shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException($"{path} is not a .npy file");
        int major = bytes[6], headerLength, offset;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            offset = 10;
        }
        else
        {
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
            offset = 12;
        }
        var header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        var descr = DescrPattern().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new InvalidDataException($"{path}: Fortran order is not supported");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var payload = bytes.AsSpan(offset + headerLength);
        var data = new float[count];
        switch (descr)
        {
            case "<f4":
                MemoryMarshal.Cast<byte, float>(payload)[..(int)count].CopyTo(data);
                break;
            case "<f2":
                var halves = MemoryMarshal.Cast<byte, Half>(payload);
                for (var i = 0; i < count; i++) data[i] = (float)halves[i];
                break;
            case "<f8":
                var doubles = MemoryMarshal.Cast<byte, double>(payload);
                for (var i = 0; i < count; i++) data[i] = (float)doubles[i];
                break;
            default:
                throw new InvalidDataException($"{path}: dtype {descr} is not supported (float16/32/64 only)");
        }
        return (data, shape);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
