// A wrong input shape to any public model is an ArgumentException that names the module and the shapes, never a
// dead process: TorchSharp's matmul aborts the process on mismatched shapes, so the models check where inputs enter.
using Sld.Bench.Encoders;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using Sld.Bench.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Model;

public class ShapeErrorTests
{
    private static void Fails(Action action, params string[] mentions)
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(action);
        foreach (var m in mentions) Assert.Contains(m, e.Message);
    }

    [Fact]
    public void GptNamesItselfAndTheShapes()
    {
        using var gpt = new Gpt(new GptConfig(VocabSize: 20, BlockSize: 8, Layers: 1, Heads: 2, Embd: 8));
        Fails(() => gpt.forward(torch.zeros(2, 3, 4, dtype: ScalarType.Int64)), "Gpt", "token ids", "[2, 3, 4]");
        Fails(() => gpt.forward(torch.zeros(2, 3)), "Gpt", "int64", "float32");
        Fails(() => gpt.forward_embeddings(torch.zeros(2, 3, 5)), "Gpt", "[*, *, 8]", "[2, 3, 5]");
    }

    [Fact]
    public void AsrModelSoftTokensOfTheWrongCodebookSizeAreRefusedBeforeTheMatmul()
    {
        var vocabulary = new AsrVocabulary(["a", "b"], 4);
        using var model = new AsrModel(new AsrModelConfig(Layers: 1, Width: 8, Heads: 2, BlockSize: 64), vocabulary);
        // Batches are checked when they are collated, and the model checks again before its matmul.
        Fails(() => AsrBatch.Collate([new("s", new SoftSpeechTokens(new float[3 * 5], 3, 5), "ab")], vocabulary, torch.CPU), "K = 4");
        Fails(() => ShapeCheck.MatMul(torch.ones(2, 3), torch.ones(4, 5), "Test"), "Test", "[2, 3]", "[4, 5]");
    }

    [Fact]
    public void SpeechFrontEndsNameTheFeatureWidthTheyExpect()
    {
        using var bridge = new ConvBridge(8, 16);
        Fails(() => bridge.forward(torch.zeros(1, 12, 6), [12]), "ConvBridge", "features", "[*, *, 8]", "[1, 12, 6]");
        using var ctc = new CtcCompressor(8, 8, textUnits: 3, CtcMergeRule.Mean);
        Fails(() => ctc.forward(torch.zeros(1, 12, 6), [12], null), "CtcCompressor", "[*, *, 8]");
    }

    [Fact]
    public void HubertEncoderNamesAWaveformOfTheWrongRank()
    {
        using var hubert = new HubertEncoder(new HubertConfig(EmbedDim: 16, Layers: 1, Heads: 2, FfnDim: 32) { ConvLayers = [new(16, 10, 5), new(16, 3, 2)] });
        Fails(() => hubert.Layers(torch.zeros(2, 1600)), "mono waveform", "[2, 1600]");
    }
}
