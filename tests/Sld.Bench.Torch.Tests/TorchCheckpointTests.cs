// Parity of TorchCheckpoint with PyTorch: tests/reference/torch_save_fixtures.py writes torch.save files and
// the exact bytes, strides and aliasing of every tensor in them; these tests load the files and compare bit for
// bit, check Python values and module loading, and check that damaged or unsupported files name themselves.
using Sld.Bench.Testing;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Sld.Bench.Torch.Modules;
using Sld.Bench.Torch.Serialization;

namespace Sld.Bench.Torch.Tests;

/// <summary>Runs the fixture script once for the whole test class, into a temporary directory.</summary>
public sealed class TorchSaveFixtures : IDisposable
{
    public TorchSaveFixtures()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"sld-torch-save-{Guid.NewGuid():N}");
        ReferencePython.Run("torch_save_fixtures.py", Directory);
        Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "expected.json")));
    }

    public string Directory { get; }
    public JsonDocument Expected { get; }

    public string PathOf(string file) => Path.Combine(Directory, file);

    public JsonElement FileEntry(string file) => Expected.RootElement.GetProperty("files").GetProperty(file);

    public void Dispose()
    {
        Expected.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

public sealed class TorchCheckpointTests(TorchSaveFixtures fx) : IClassFixture<TorchSaveFixtures>
{
    private static readonly string[] DescribedFiles =
        ["module_state.pt", "checkpoint.pt", "tied.pt", "views.pt", "dtypes.pt", "protocol4.pt", "protocol5.pt", "torch2_style.pt"];

    /// <summary>The module the fixture script's Tiny mirrors, registered in the same order so keys match.</summary>
    private sealed class Tiny : Module
    {
        public Tiny()
        {
            register_module("emb", new Embedding(10, 4));
            register_module("conv", new Conv1d(4, 6, 3));
            register_module("norm", new LayerNorm(6));
            register_module("proj", new Linear(6, 5));
        }
    }

    [Fact]
    public void EveryDescribedFixtureIsTested()
    {
        var described = fx.Expected.RootElement.GetProperty("files").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(DescribedFiles.Order(), described);
    }

    public static TheoryData<string> DescribedFileNames => new(DescribedFiles);

    [Theory]
    [MemberData(nameof(DescribedFileNames))]
    public void TensorsMatchPyTorchBitForBit(string file)
    {
        using var scope = torch.NewDisposeScope();
        var state = TorchCheckpoint.LoadStateDict(fx.PathOf(file));
        var expected = fx.FileEntry(file).GetProperty("tensors");
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name), state.Keys); // same names, same order
        foreach (var p in expected.EnumerateObject()) AssertTensor(p.Name, p.Value, state[p.Name]);
        // Only the returned tensors are alive: the storages they view and all intermediates were freed.
        Assert.Equal(state.Values.Distinct(ReferenceEqualityComparer.Instance).Count(), scope.Count);
    }

    [Theory]
    [InlineData("tied.pt")]
    [InlineData("views.pt")]
    [InlineData("torch2_style.pt")]
    public void TensorsThatSharedAStorageStillShareIt(string file)
    {
        foreach (var alias in fx.FileEntry(file).GetProperty("aliases").EnumerateArray())
        {
            using var scope = torch.NewDisposeScope();
            var state = TorchCheckpoint.LoadStateDict(fx.PathOf(file));
            var write = state[alias.GetProperty("write").GetString()!];
            var read = state[alias.GetProperty("read").GetString()!];
            var after = alias.GetProperty("hex").GetString();
            Assert.NotSame(write, read);
            Assert.NotEqual(after, Hex(read)); // the write must change what `read` shows, or this proves nothing
            using (torch.no_grad()) write.fill_(alias.GetProperty("value").GetDouble()); // a parameter may be the target
            Assert.Equal(after, Hex(read));
        }
    }

    [Fact]
    public void CheckpointKeepsPlainPythonValues()
    {
        using var scope = torch.NewDisposeScope();
        var root = Assert.IsType<OrderedDictionary<object, object?>>(TorchCheckpoint.Load(fx.PathOf("checkpoint.pt")));
        string[] keys = ["model", "optimizer", "epoch", "best_wer", "name", "history", "betas", "done", "big", "negative",
                         "blob", "buffer", "tags", "raw_param", "leaf"];
        Assert.Equal(keys, root.Keys.Cast<string>());
        Assert.Equal(3L, root["epoch"]);
        Assert.Equal(0.125, root["best_wer"]);
        Assert.Equal("tiny-ctc", root["name"]);
        Assert.Equal(new List<object?> { 1.5, 1.25, null }, Assert.IsType<List<object?>>(root["history"]));
        Assert.Equal(new object?[] { 0.9, 0.98 }, Assert.IsType<object?[]>(root["betas"]));
        Assert.True(root["done"] is true);
        Assert.Equal(BigInteger.Pow(2, 70), root["big"]);
        Assert.Equal(-123456789012L, root["negative"]);
        Assert.Equal(new byte[] { 0, 1, 0xfe, 0xff }, Assert.IsType<byte[]>(root["blob"]));
        Assert.Equal("ok"u8.ToArray(), Assert.IsType<byte[]>(root["buffer"]));
        Assert.True(new HashSet<object?> { "a", "b" }.SetEquals(Assert.IsType<HashSet<object?>>(root["tags"])));

        var optimizer = Assert.IsType<OrderedDictionary<object, object?>>(root["optimizer"]);
        var state = Assert.IsType<OrderedDictionary<object, object?>>(optimizer["state"]);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (object)(long)i), state.Keys); // int keys stay longs
        var group = Assert.IsType<OrderedDictionary<object, object?>>(Assert.IsType<List<object?>>(optimizer["param_groups"])[0]);
        Assert.Equal(1e-3, group["lr"]);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (object?)(long)i), Assert.IsType<List<object?>>(group["params"]));
        Assert.Equal(1.0f, Assert.IsType<Tensor>(Assert.IsType<OrderedDictionary<object, object?>>(state[0L])["step"]).item<float>());

        // An nn.Parameter comes back through _rebuild_parameter; both it and a saved leaf keep requires_grad.
        var raw = Assert.IsType<Tensor>(root["raw_param"]);
        Assert.True(raw.requires_grad);
        Assert.True(raw.is_leaf);
        Assert.Equal(new float[] { 0, 1, 2 }, raw.ToArray<float>());
        Assert.True(Assert.IsType<Tensor>(root["leaf"]).requires_grad);
    }

    [Theory]
    [InlineData("protocol4.pt")]
    [InlineData("protocol5.pt")]
    public void NewerPickleProtocolsLoad(string file)
    {
        using var scope = torch.NewDisposeScope();
        var root = Assert.IsType<OrderedDictionary<object, object?>>(TorchCheckpoint.Load(fx.PathOf(file)));
        Assert.True(new HashSet<object?> { 1L, 2L }.SetEquals(Assert.IsType<HashSet<object?>>(root["set"])));
        Assert.True(new HashSet<object?> { 3L }.SetEquals(Assert.IsType<HashSet<object?>>(root["frozen"])));
        Assert.Equal("ab"u8.ToArray(), Assert.IsType<byte[]>(root["short_bytes"]));
        var longBytes = Enumerable.Range(0, 512).Select(i => (byte)(i % 256)).ToArray();
        Assert.Equal(longBytes, Assert.IsType<byte[]>(root["long_bytes"]));
        Assert.Equal("cd"u8.ToArray(), Assert.IsType<byte[]>(root["buffer"]));
        Assert.Equal("h\u00e9llo \u2713", root["text"]);
        Assert.Equal(BigInteger.Pow(2, 70), root["big"]);
    }

    [Fact]
    public void LoadStateDictWithAKeyReturnsOnlyThatEntry()
    {
        using var scope = torch.NewDisposeScope();
        var model = TorchCheckpoint.LoadStateDict(fx.PathOf("checkpoint.pt"), "model");
        var expected = fx.FileEntry("checkpoint.pt").GetProperty("tensors");
        Assert.Equal(new[] { "emb.weight", "conv.weight", "conv.bias", "norm.weight", "norm.bias", "proj.weight", "proj.bias" }, model.Keys);
        foreach (var (name, t) in model) AssertTensor(name, expected.GetProperty($"model.{name}"), t);
        Assert.Equal(7, scope.Count); // the optimizer's tensors were loaded and freed again

        var e = Assert.Throws<KeyNotFoundException>(() => TorchCheckpoint.LoadStateDict(fx.PathOf("checkpoint.pt"), "ema"));
        Assert.Contains("'ema'", e.Message);
        Assert.Contains("'optimizer'", e.Message);
        Assert.Equal(7, scope.Count); // a failed selection frees everything it loaded
    }

    [Fact]
    public void ModuleLoadsAStateDictAndACheckpointEntry()
    {
        var expected = fx.FileEntry("module_state.pt").GetProperty("tensors");
        var fromCheckpoint = fx.FileEntry("checkpoint.pt").GetProperty("tensors");
        using var module = new Tiny();
        using (var scope = torch.NewDisposeScope())
        {
            var (missing, unexpected) = module.load_torch_checkpoint(fx.PathOf("module_state.pt"));
            Assert.Empty(missing);
            Assert.Empty(unexpected);
            Assert.Equal(0, scope.Count); // the loaded tensors were copied in and freed
        }
        foreach (var (name, t) in module.state_dict()) AssertTensorValues(name, expected.GetProperty(name), t);

        module.load_torch_checkpoint(fx.PathOf("checkpoint.pt"), key: "model");
        foreach (var (name, t) in module.state_dict()) AssertTensorValues(name, fromCheckpoint.GetProperty($"model.{name}"), t);
        Assert.True(module.parameters().All(p => p.requires_grad));

        // Without the key every name carries the "model." prefix: strict refuses, non-strict reports.
        var e = Assert.Throws<InvalidDataException>(() => module.load_torch_checkpoint(fx.PathOf("checkpoint.pt")));
        Assert.Contains("checkpoint.pt", e.Message);
        Assert.Contains("missing [emb.weight", e.Message);
        var (missing2, unexpected2) = module.load_torch_checkpoint(fx.PathOf("checkpoint.pt"), strict: false);
        Assert.Equal(7, missing2.Count);
        Assert.Contains("model.emb.weight", unexpected2);
        Assert.Contains("optimizer.state.0.exp_avg", unexpected2);
    }

    [Fact]
    public void AsStridedViewsTheStorage()
    {
        using var scope = torch.NewDisposeScope();
        var storage = torch.arange(6, ScalarType.Float32);
        var view = storage.as_strided([2, 2], [1, 2], 1); // [[1, 3], [2, 4]]
        Assert.Equal(new float[] { 1, 3, 2, 4 }, view.ToArray<float>());
        Assert.Equal(new long[] { 1, 2 }, view.stride());
        Assert.Equal(1, view.storage_offset());
        view.fill_(-1);
        Assert.Equal(new float[] { 0, -1, -1, -1, -1, 5 }, storage.ToArray<float>());
        Assert.Throws<TorchException>(() => storage.as_strided([2, 2], [3, 1], 3)); // reaches element 7 of 6
        Assert.Throws<ArgumentException>(() => storage.as_strided([2, 2], [1], 0));
    }

    // ---- files that must be refused, each with a message naming the file ----

    [Fact]
    public void TruncatedZipIsRefused()
    {
        var source = File.ReadAllBytes(fx.PathOf("module_state.pt"));
        var path = Scratch("truncated.pt", source[..(source.Length / 2)]);
        AssertRefused(path, "truncated");
    }

    [Fact]
    public void TruncatedPickleInsideAValidZipIsRefused()
    {
        var path = Scratch("short_pickle.pt", File.ReadAllBytes(fx.PathOf("module_state.pt")));
        byte[] pickle;
        using (var zip = ZipFile.OpenRead(path))
        {
            var entry = zip.GetEntry("module_state/data.pkl")!;
            using var s = entry.Open();
            pickle = new byte[entry.Length];
            s.ReadExactly(pickle);
        }
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("module_state/data.pkl")!.Delete();
            using var w = zip.CreateEntry("module_state/data.pkl").Open();
            w.Write(pickle, 0, pickle.Length * 2 / 3); // cut after a few tensors were rebuilt
        }
        using var scope = torch.NewDisposeScope();
        AssertRefused(path, "truncated");
        Assert.Equal(0, scope.Count); // the storages read before the failure were freed
    }

    [Fact]
    public void NonZipAndEmptyFilesAreRefused()
    {
        AssertRefused(Scratch("notes.pt", "just some text"u8.ToArray()), "not a torch.save file");
        AssertRefused(Scratch("empty.pt", []), "is empty");
    }

    [Fact]
    public void LegacyFormatIsRefusedWithHowToResave() =>
        AssertRefused(fx.PathOf("legacy.pt"), "legacy serialization format", "torch.save(torch.load(");

    [Fact]
    public void TorchScriptArchiveIsRefused() => AssertRefused(fx.PathOf("scripted.pt"), "TorchScript");

    [Fact]
    public void UnknownGlobalIsRefusedAndFreesWhatWasLoaded()
    {
        using var scope = torch.NewDisposeScope();
        AssertRefused(fx.PathOf("unknown_global.pt"), "'argparse.Namespace'");
        Assert.Equal(0, scope.Count);
    }

    [Fact]
    public void BigEndianArchiveIsRefused()
    {
        var path = Scratch("big_endian.pt", File.ReadAllBytes(fx.PathOf("module_state.pt")));
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using var w = new StreamWriter(zip.CreateEntry("module_state/byteorder").Open(), Encoding.ASCII);
            w.Write("big");
        }
        AssertRefused(path, "big-endian");
    }

    private static void AssertRefused(string path, params string[] fragments)
    {
        var e = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(path));
        Assert.Contains(path, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    private string Scratch(string name, byte[] contents)
    {
        var path = Path.Combine(fx.Directory, "scratch", $"{Guid.NewGuid():N}-{name}");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, contents);
        return path;
    }

    private static void AssertTensor(string name, JsonElement expected, Tensor actual)
    {
        Assert.True(expected.GetProperty("dtype").GetString() == actual.dtype.Name(), $"{name}: dtype {actual.dtype.Name()}");
        Assert.Equal(Longs(expected.GetProperty("stride")), actual.stride());
        Assert.Equal(expected.GetProperty("offset").GetInt64(), actual.storage_offset());
        Assert.Equal(expected.GetProperty("requires_grad").GetBoolean(), actual.requires_grad);
        AssertTensorValues(name, expected, actual);
    }

    private static void AssertTensorValues(string name, JsonElement expected, Tensor actual)
    {
        Assert.Equal(Longs(expected.GetProperty("shape")), actual.shape);
        var want = expected.GetProperty("hex").GetString();
        Assert.True(want == Hex(actual), $"{name}: bytes differ");
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt64()).ToArray();

    private static string Hex(Tensor t) => Convert.ToHexStringLower(t.ToBytes());
}
