// HubertEncoder against torchaudio (tests/reference/hubert_reference.py, run once into a temp directory): the
// random-weight hubert_base() loaded from its torch.save state dict matches the CNN output and every layer 0..12
// within 1e-4; a small pre-LN, layer-norm-extractor model matches from Hugging Face names in a safetensors file
// (parametrised weight norm) and in a legacy torch.save file (weight_g/weight_v, with a CTC head to ignore).
using Sld.Bench.Encoders;
using Sld.Bench.Testing;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Sld.Bench.Tests.Encoders;

public sealed class HubertReferenceFiles : IDisposable
{
    public HubertReferenceFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("sldbench-hubert-").FullName;
        ReferencePython.Run("hubert_reference.py", Directory);
    }

    public string Directory { get; }

    public string File(string name) => Path.Combine(Directory, name);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

public sealed class HubertParityTests(HubertReferenceFiles files, ITestOutputHelper output) : IClassFixture<HubertReferenceFiles>
{
    private const double Tolerance = 1e-4;

    private static HubertConfig Small => new(EmbedDim: 48, Layers: 3, Heads: 4, FfnDim: 96, Extractor: ExtractorNorm.LayerNorm, ConvBias: true,
        PosConvKernel: 16, PosConvGroups: 4, LayerNormFirst: true)
    {
        ConvLayers = [new(32, 10, 5), new(32, 3, 2), new(32, 3, 2), new(32, 2, 2)],
    };

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        using var scope = torch.NewDisposeScope();
        return a.sub(b).abs().max().ToDouble();
    }

    private void AssertEveryLayerMatches(HubertEncoder model, string outputsFile, int layers)
    {
        using var scope = torch.NewDisposeScope();
        var expected = TorchSaveFile.LoadStateDict(files.File(outputsFile));
        var waveform = expected["waveform"];
        var cnn = model.ConvFeatures(waveform);
        var cnnDiff = MaxAbsDiff(cnn, expected["cnn"]);
        output.WriteLine($"{outputsFile}: cnn {cnn.size(0)} x {cnn.size(1)} max |diff| {cnnDiff:E2}");
        Assert.InRange(cnnDiff, 0, Tolerance);
        var ours = model.Layers(waveform);
        Assert.Equal(layers + 1, ours.Count);
        for (var k = 0; k <= layers; k++)
        {
            var diff = MaxAbsDiff(ours[k], expected[$"layer.{k}"]);
            var scale = expected[$"layer.{k}"].abs().max().ToDouble();
            output.WriteLine($"layer {k,2}: max |diff| {diff:E2} (max |value| {scale:F2})");
            Assert.True(diff <= Tolerance, $"layer {k} differs from torchaudio by {diff:E3}");
        }
        // One layer alone equals the same layer of the full pass (nothing after it is computed).
        Assert.Equal(ours[layers - 1].ToArray<float>(), model.Layer(waveform, layers - 1).ToArray<float>());
    }

    [Fact]
    public void HubertBaseMatchesTorchaudioAtEveryLayer()
    {
        using var model = HubertWeights.FromFile(files.File("base_torchaudio.pt"));
        Assert.Equal(94_370_944, model.ParameterCount());
        Assert.Equal(49, model.Frames(16000)); // 320 samples per frame: 50 Hz
        AssertEveryLayerMatches(model, "base_outputs.pt", 12);
    }

    [Theory]
    [InlineData("small_hf.safetensors")]
    [InlineData("small_hf_legacy.pt")]
    public void APreLayerNormModelMatchesFromHuggingFaceNames(string weights)
    {
        using var model = new HubertEncoder(Small);
        var ignored = HubertWeights.Load(model, files.File(weights));
        Assert.Contains("hubert.masked_spec_embed", ignored);
        if (weights.EndsWith(".pt", StringComparison.Ordinal)) Assert.Contains("lm_head.weight", ignored);
        AssertEveryLayerMatches(model, "small_outputs.pt", 3);
    }

    [Fact]
    public void MissingOrMisshapenWeightsAreErrors()
    {
        using var model = new HubertEncoder(Small with { FfnDim = 64 });
        Assert.Throws<InvalidDataException>(() => HubertWeights.Load(model, files.File("small_hf.safetensors")));
        using var bigger = new HubertEncoder(Small with { Layers = 4 });
        var e = Assert.Throws<InvalidDataException>(() => HubertWeights.Load(bigger, files.File("small_hf.safetensors")));
        Assert.Contains("encoder.transformer.layers.3.", e.Message);
    }

    [Fact]
    public void TheFrameEncoderRecordsLayerAndWeightsAndIsDeterministic()
    {
        using var model = HubertWeights.FromFile(files.File("small_hf.safetensors"), Small);
        var encoder = new HubertFrameEncoder(model, 2, "hubert_small", HubertWeights.Sha256(files.File("small_hf.safetensors")));
        Assert.Equal(48, encoder.Spec.Dim);
        Assert.Equal(16000.0 / 40, encoder.Spec.FrameRate); // 5 x 2 x 2 x 2 samples per frame
        Assert.Equal("2", encoder.Spec.Settings["layer"]);
        Assert.Equal(64, encoder.Spec.Settings["weights"].Length);
        using var scope = torch.NewDisposeScope();
        var waveform = TorchSaveFile.LoadStateDict(files.File("small_outputs.pt"))["waveform"];
        var a = encoder.Encode(waveform);
        Assert.Equal(a.ToArray<float>(), encoder.Encode(waveform).ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HubertFrameEncoder(model, 4, "x", "y"));
    }
}
