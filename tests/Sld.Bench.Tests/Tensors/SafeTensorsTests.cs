// safetensors with metadata (Sld.Bench.Tensors.SafeTensors): bit-exact round trips for every dtype, interop with the independent reference reader and
// writer in tests/reference, and clear errors for damaged files.
using System.Text.Json;
using Sld.Bench.Testing;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tensors;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sldbench-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly (string name, ScalarType type, long[] shape)[] Specs =
    [
        ("float32", ScalarType.Float32, [3, 5]), ("float16", ScalarType.Float16, [4, 2]), ("bfloat16", ScalarType.BFloat16, [7]),
        ("float64", ScalarType.Float64, [2, 2, 2]), ("int64", ScalarType.Int64, [6]), ("int32", ScalarType.Int32, [2, 3]),
        ("int16", ScalarType.Int16, [5]), ("int8", ScalarType.Int8, [4]), ("uint8", ScalarType.Byte, [9]),
        ("bool", ScalarType.Bool, [3, 3]), ("scalar", ScalarType.Float32, []), ("empty", ScalarType.Float32, [0, 4]),
    ];

    /// <summary>The same values tests/reference/safetensors_interop.py computes bit-exactly.</summary>
    private static Tensor Formula(string name, ScalarType type, long[] shape)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var b = torch.arange(0, n, 1, ScalarType.Float64);
        if (type == ScalarType.Bool) return b.remainder(3).eq(0).reshape(shape);
        if (type == ScalarType.Byte) return (b * 7).remainder(256).to(type).reshape(shape);
        return (b * 0.37 - 1.5).to(type).reshape(shape);
    }

    private static Dictionary<string, Tensor> FormulaTensors() => Specs.ToDictionary(s => s.name, s => Formula(s.name, s.type, s.shape));

    [Fact]
    public void RoundTripIsBitExactForEveryDtype()
    {
        using var scope = torch.NewDisposeScope();
        var original = FormulaTensors();
        var path = Path.Combine(_dir, "all.safetensors");
        SafeTensors.Save(path, original, new Dictionary<string, string> { ["note"] = "round trip" });
        var (loaded, meta) = SafeTensors.LoadWithMetadata(path);
        Assert.Equal("round trip", meta["note"]);
        Assert.Equal(original.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, t) in original)
        {
            using var back = loaded[name];
            Assert.Equal(t.dtype, back.dtype);
            Assert.Equal(t.shape, back.shape);
            Assert.Equal(t.ToBytes(), back.ToBytes());
        }
    }

    [Fact]
    public void FileWrittenHereIsReadByTheReferenceScript()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(_dir, "ours.safetensors");
        SafeTensors.Save(path, FormulaTensors(), new Dictionary<string, string> { ["written_by"] = "sldbench" });
        var report = JsonDocument.Parse(ReferencePython.Run("safetensors_interop.py", "verify", path)).RootElement;
        Assert.Empty(report.GetProperty("mismatches").EnumerateArray());
        Assert.Equal("sldbench", report.GetProperty("metadata").GetProperty("written_by").GetString());
    }

    [Fact]
    public void FileWrittenByTheReferenceScriptIsReadHere()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(_dir, "reference.safetensors");
        ReferencePython.Run("safetensors_interop.py", "write", path);
        var (loaded, meta) = SafeTensors.LoadWithMetadata(path);
        Assert.Equal("reference", meta["written_by"]);
        foreach (var (name, type, shape) in Specs)
        {
            using var t = loaded[name];
            var expected = Formula(name, type, shape);
            Assert.Equal(type, t.dtype);
            Assert.Equal(shape, t.shape);
            Assert.Equal(expected.ToBytes(), t.ToBytes());
        }
    }

    [Fact]
    public void TruncatedFileIsRejectedWithItsPath()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(_dir, "cut.safetensors");
        SafeTensors.Save(path, FormulaTensors());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void GarbageHeaderIsRejected()
    {
        var path = Path.Combine(_dir, "garbage.safetensors");
        File.WriteAllBytes(path, [16, 0, 0, 0, 0, 0, 0, 0, .. "{not json at all"u8]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("not valid JSON", e.Message);
        File.WriteAllBytes(path, [255, 255, 255, 255, 0, 0, 0, 0, 1, 2]);
        Assert.Contains("does not fit", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path)).Message);
    }

    [Fact]
    public void InterruptedSaveLeavesThePreviousFileIntact()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(_dir, "keep.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = torch.ones([2]) });
        var disposed = torch.ones([3]);
        disposed.Dispose();
        // The second save fails while writing data (a disposed tensor, which TorchSharp reports as an invalid handle): the first file must survive untouched.
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = torch.zeros([2]), ["b"] = disposed }));
        using var a = SafeTensors.Load(path)["a"];
        Assert.Equal(new float[] { 1, 1 }, a.ToArray<float>());
        Assert.Single(Directory.GetFiles(_dir));
    }
}
