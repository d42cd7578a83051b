// torch.save state dicts through TorchSharp.PyBridge (TorchSaveFile): bare, wrapped the way training loops and
// Lightning wrap them, and nested, each bit-exact against what PyTorch saved (tests/reference/torch_save_interop.py).
using Sld.Bench.Tensors;
using Sld.Bench.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tensors;

public sealed class TorchSaveFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly OrderedDictionary<string, Tensor> _expected;

    public TorchSaveFileTests()
    {
        ReferencePython.Run("torch_save_interop.py", _dir.Path);
        _expected = SafeTensors.Load(Path.Combine(_dir.Path, "expected.safetensors"));
    }

    public void Dispose()
    {
        foreach (var t in _expected.Values) t.Dispose();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("bare.pt")]
    [InlineData("wrapped.pt")]
    [InlineData("lightning.pt")]
    public void StateDictsLoadBitExactWhateverWrapsThem(string file) =>
        AssertLoadsExpected(file, k => !k.StartsWith("encoder.", StringComparison.Ordinal) && !k.StartsWith("decoder.", StringComparison.Ordinal));

    [Fact]
    public void NestedDictionariesBecomeDottedNames() =>
        AssertLoadsExpected("nested.pt", k => k.StartsWith("encoder.", StringComparison.Ordinal) || k.StartsWith("decoder.", StringComparison.Ordinal));

    /// <summary>The file yields exactly the expected tensors that <paramref name="select"/> picks, in name order, bit for bit.</summary>
    private void AssertLoadsExpected(string file, Func<string, bool> select)
    {
        var loaded = TorchSaveFile.LoadStateDict(Path.Combine(_dir.Path, file));
        try
        {
            var names = _expected.Keys.Where(select).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(names, loaded.Keys);
            foreach (var name in names) AssertSame(_expected[name], loaded[name], name);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    [Fact]
    public void ALoadedStateDictFillsAModuleOfTheSameShape()
    {
        var loaded = TorchSaveFile.LoadStateDict(Path.Combine(_dir.Path, "wrapped.pt"));
        using var module = nn.Sequential(nn.Embedding(10, 4), nn.Conv1d(4, 6, 3), nn.LayerNorm(6), nn.Linear(6, 5));
        var weights = loaded.Where(kv => kv.Key != "counts").ToDictionary(kv => kv.Key, kv => kv.Value);
        module.LoadWeights(weights, "wrapped.pt");
        AssertSame(_expected["3.weight"], module.state_dict()["3.weight"], "3.weight");
        var e = Assert.Throws<InvalidDataException>(() => module.LoadWeights(loaded, "wrapped.pt"));
        Assert.Contains("unexpected [counts]", e.Message);
        foreach (var t in loaded.Values) t.Dispose();
    }

    [Fact]
    public void AFileThatIsNotATorchSaveArchiveIsNamedInTheError()
    {
        var path = Path.Combine(_dir.Path, "broken.pt");
        File.WriteAllBytes(path, [.. "PK\u0003\u0004 this is not a zip archive at all"u8]);
        var e = Assert.Throws<InvalidDataException>(() => TorchSaveFile.LoadStateDict(path));
        Assert.Contains(path, e.Message);
        Assert.Throws<FileNotFoundException>(() => TorchSaveFile.LoadStateDict(Path.Combine(_dir.Path, "missing.pt")));
    }

    private static void AssertSame(Tensor expected, Tensor actual, string name)
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.ToBytes().SequenceEqual(actual.ToBytes()), $"{name}: bytes differ");
    }
}
