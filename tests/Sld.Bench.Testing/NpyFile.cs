// numpy's .npy format (version 1.0, little-endian float32, C order) for exchanging arrays with the reference
// scripts, which have numpy but not safetensors.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Sld.Bench.Testing;

public static partial class NpyFile
{
    public static void Write(string path, float[] data, params int[] shape)
    {
        if (shape.Aggregate(1L, (a, b) => a * b) != data.Length) throw new ArgumentException("shape does not match the data length");
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({dims}), }}";
        var padding = (64 - (10 + header.Length + 1) % 64) % 64;
        header = header + new string(' ', padding) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        file.Write(BitConverter.GetBytes((ushort)header.Length));
        file.Write(Encoding.ASCII.GetBytes(header));
        file.Write(MemoryMarshal.AsBytes(data.AsSpan()));
    }

    [GeneratedRegex(@"'shape': \(([0-9, ]*)\)")]
    private static partial Regex ShapePattern();

    /// <summary>Reads a float32 .npy file written by numpy: the values and the shape.</summary>
    public static (float[] data, int[] shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path} is not a .npy file");
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.Contains("'<f4'", StringComparison.Ordinal) || header.Contains("'fortran_order': True", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: only C-order little-endian float32 is read ({header.Trim()})");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var data = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(10 + headerLength)).ToArray();
        return (data, shape);
    }
}
