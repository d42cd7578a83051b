// The ASR model's structure and inputs: parameter counts (built vs computed, and GPT-2's published sizes), the
// training sequence layout and its targets, soft and multi-codebook speech inputs, the bridge's lengths, CTC
// compression's merging, autocast's dtype logic, and weights surviving Save/Load.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Model;

public class AsrModelTests
{
    private static readonly AsrModelConfig Tiny = new(Layers: 2, Width: 32, Heads: 2, BlockSize: 64, Dropout: 0);

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(b.shape, a.shape);
        return (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().ToDouble();
    }

    [Theory]
    [InlineData(SpeechFrontEnd.Tokens, PositionEncoding.Learned, true)]
    [InlineData(SpeechFrontEnd.Tokens, PositionEncoding.Rotary, false)]
    [InlineData(SpeechFrontEnd.Bridge, PositionEncoding.Learned, true)]
    [InlineData(SpeechFrontEnd.CtcCompression, PositionEncoding.Rotary, true)]
    public void ParameterCountMatchesTheBuiltModel(SpeechFrontEnd frontEnd, PositionEncoding positions, bool tied)
    {
        var vocab = AsrVocabulary.Characters(["hello world"], 20, codebooks: 2);
        var config = Tiny with { FrontEnd = frontEnd, Positions = positions, TieEmbeddings = tied, FeatureDim = frontEnd == SpeechFrontEnd.Tokens ? 0 : 12 };
        using var model = new AsrModel(config, vocab);
        Assert.Equal(model.ParameterCount(), config.ParameterCount(vocab));
        Assert.True(model.ParameterCount() > 20_000);
    }

    [Fact]
    public void PresetsReproduceGpt2ParameterCounts()
    {
        // GPT-2's vocabulary of 50257 as 253 text units + 50000 speech tokens + our 4 specials.
        var vocab = new AsrVocabulary(Enumerable.Range(0, 253).Select(i => $"u{i}"), 50_000);
        Assert.Equal(50257, vocab.Size);
        Assert.Equal(124_439_808, AsrModelConfig.Preset("base").ParameterCount(vocab)); // GPT-2 small
        Assert.Equal(354_823_168, AsrModelConfig.Preset("medium").ParameterCount(vocab)); // GPT-2 medium
        Assert.Equal((2, 128, 2), (AsrModelConfig.Preset("tiny").Layers, AsrModelConfig.Preset("tiny").Width, AsrModelConfig.Preset("tiny").Heads));
        Assert.Equal(8, (AsrModelConfig.Preset("small") with { Layers = 8 }).Layers);
        Assert.Throws<ArgumentException>(() => AsrModelConfig.Preset("huge"));
    }

    private static readonly AsrVocabulary Abc = new(["a", "b", "c"], speechTokensPerCodebook: 4); // a b c = 4 5 6, speech 7..10

    [Fact]
    public void TrainingSequencesPutSpeechThenTextWithNextTokenTargets()
    {
        torch.manual_seed(unchecked((long)(1)));
        using var model = new AsrModel(Tiny, Abc);
        using var batch = AsrBatch.Collate(
        [
            new("u0", new SpeechTokens([1, 2, 3]), "ab"),
            new("u1", new SpeechTokens([3, 0]), "c"),
            new("u2", new SpeechTokens([1]), ""),
        ], Abc, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var f = model.forward(batch);
        Assert.Equal([3L, 7, Abc.Size], f.Logits.shape);
        const long N = AsrModel.NoTarget;
        long[] expected =
        [
            9, 10, 1, 4, 5, 2, N, // s1 s2 s3 <se> a b <te>
            7, 1, 6, 2, N, N, N, // s3 s0 <se> c <te>
            1, 2, N, N, N, N, N, // s1 <se> <te>
        ];
        Assert.Equal(expected, f.Targets.ToArray<long>());
        Assert.Equal([true, true, true, true, true, true, true, true, true, true, true, true, false, false, true, true, true, false, false, false, false],
            f.InputMask.ToArray<bool>());
    }

    [Fact]
    public void OneHotSoftTokensEqualHardTokensAndCodebooksAreSummed()
    {
        torch.manual_seed(unchecked((long)(2)));
        using var model = new AsrModel(Tiny, Abc);
        model.eval();
        int[] ids = [3, 1, 1, 0];
        var oneHot = new float[ids.Length * 4];
        for (var t = 0; t < ids.Length; t++) oneHot[t * 4 + ids[t]] = 1;
        using var hard = AsrBatch.Collate([new("h", new SpeechTokens(ids), "ba")], Abc, torch.CPU);
        using var soft = AsrBatch.Collate([new("s", new SoftSpeechTokens(oneHot, ids.Length, 4), "ba")], Abc, torch.CPU);
        using var scope = torch.NewDisposeScope();
        Assert.InRange(MaxAbsDiff(model.forward(hard).Logits, model.forward(soft).Logits), 0, 1e-6);

        // Two codebooks: the speech embedding of a frame is the sum of both tokens' rows.
        var two = new AsrVocabulary(["a", "b"], 3, codebooks: 2);
        using var m2 = new AsrModel(Tiny, two);
        m2.eval();
        int[] cb0 = [0, 2, 1], cb1 = [1, 1, 0];
        using var batch = AsrBatch.Collate([new("m", new SpeechTokens([cb0, cb1]), "ab")], two, torch.CPU);
        var wte = m2.gpt.wte.weight!;
        var speech = Enumerable.Range(0, 3).Select(t => wte[two.SpeechId(cb0[t])] + wte[two.SpeechId(cb1[t], 1)]).ToList();
        var text = new[] { AsrVocabulary.SpeechEnd, two.TextOffset, two.TextOffset + 1, AsrVocabulary.TextEnd }.Select(id => wte[id]).ToList();
        var manual = m2.gpt.logits(m2.gpt.forward_embeddings(torch.stack([.. speech, .. text]).unsqueeze(0)));
        Assert.InRange(MaxAbsDiff(m2.forward(batch).Logits, manual), 0, 1e-6);
    }

    [Fact]
    public void SoftTokensFromDistancesFollowTheTemperature()
    {
        var soft = SoftSpeechTokens.FromDistances([0f, 1f, 3f], frames: 1, classes: 3, tau: 1.0);
        var z = 1 + Math.Exp(-1) + Math.Exp(-3);
        Assert.InRange(Math.Abs(1 / z - soft.Probabilities[0]), 0, 1e-6);
        Assert.InRange(Math.Abs(Math.Exp(-3) / z - soft.Probabilities[2]), 0, 1e-6);
        var sharp = SoftSpeechTokens.FromDistances([0f, 1f, 3f], 1, 3, tau: 0.01);
        Assert.InRange(sharp.Probabilities[0], 0.999999, 1.0); // tau -> 0: hard assignment
    }

    [Fact]
    public void BridgeDownsamplesFourTimesAndIgnoresPaddingFrames()
    {
        Assert.Equal([1L, 4, 8, 0], new long[] { 10, 23, 40, 9 }.Select(ConvBridge.OutputLength));
        torch.manual_seed(unchecked((long)(3)));
        var config = Tiny with { FrontEnd = SpeechFrontEnd.Bridge, FeatureDim = 6 };
        using var model = new AsrModel(config, Abc);
        model.eval();
        AsrUtterance Features(int frames) =>
            new("f", new SpeechFeatures(Enumerable.Range(0, frames * 6).Select(i => (float)Math.Sin(i)).ToArray(), frames, 6), "ab");
        using var scope = torch.NewDisposeScope();
        using var together = AsrBatch.Collate([Features(23), Features(40)], Abc, torch.CPU);
        using var alone = AsrBatch.Collate([Features(23)], Abc, torch.CPU);
        var a = model.forward(together);
        var b = model.forward(alone);
        // Row 0: 4 bridge frames then <se> a b <te>; its bridge frames computed from padding are not used.
        Assert.Equal([N, N, N, 1, 4, 5, 2, N, N, N, N, N], a.Targets[0].ToArray<long>());
        Assert.Equal([8L], b.Logits.shape[1..2]);
        Assert.InRange(MaxAbsDiff(a.Logits[0].narrow(0, 0, 8), b.Logits[0]), 0, 1e-5);
    }

    [Fact]
    public void BridgeGradientsStayFinite()
    {
        // Regression: with the GELU before the transpose, libtorch 1.13 gave NaN/inf conv gradients in 5 of 6 draws.
        torch.manual_seed(unchecked((long)(6)));
        using var bridge = new ConvBridge(8, 16);
        for (var trial = 0; trial < 6; trial++)
        {
            using var scope = torch.NewDisposeScope();
            var (prefix, lengths) = bridge.forward(torch.randn([3, 20, 8]), [20, 17, 12]);
            Assert.Equal([3L, 2, 1], lengths);
            prefix.sum().backward();
            foreach (var (name, p) in bridge.named_parameters())
            {
                using var g = p.grad!;
                var norm = g.norm().ToDouble();
                Assert.True(double.IsFinite(norm) && norm is > 0 and < 1e4, $"{name} gradient norm {norm} in trial {trial}");
            }
            bridge.zero_grad();
        }
    }

    private const long N = AsrModel.NoTarget;

    [Theory]
    [InlineData(CtcMergeRule.Mean, new float[] { 6, 4, 5 })]
    [InlineData(CtcMergeRule.First, new float[] { 5, 3, 5 })]
    public void CtcCompressionDropsBlanksAndMergesRuns(CtcMergeRule rule, float[] expectedScales)
    {
        // Identity encoder and projection, and a CTC head whose label j fires on feature dimension j: frame t with
        // feature s * e_j has argmax label j (0 = blank). Labels 0 1 1 0 2 2 0 1 with scales 9 5 7 9 3 5 9 5.
        const int D = 4;
        using var c = new CtcCompressor(D, D, textUnits: 3, rule);
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            c.encoder.weight.copy_(torch.eye(D));
            c.encoder.bias!.zero_();
            c.ctc_head.weight.copy_(torch.eye(D));
            c.ctc_head.bias!.zero_();
            c.proj.weight.copy_(torch.eye(D));
            c.proj.bias!.zero_();
        }
        int[] labels = [0, 1, 1, 0, 2, 2, 0, 1];
        float[] scales = [9, 5, 7, 9, 3, 5, 9, 5];
        var x = new float[labels.Length * D];
        for (var t = 0; t < labels.Length; t++) x[t * D + labels[t]] = scales[t];
        using var scope = torch.NewDisposeScope();
        var (prefix, lengths, loss) = c.forward(torch.tensor(x, 1, labels.Length, D), [labels.Length], [[0, 1, 0]]);
        Assert.Equal([3L], lengths);
        var gelu = (Func<float, double>)(s => torch.nn.functional.gelu(torch.tensor(new[] { s })).ToDouble());
        int[] runLabels = [1, 2, 1];
        var values = prefix.ToArray<float>();
        for (var j = 0; j < 3; j++)
        {
            var expected = rule == CtcMergeRule.Mean
                ? (j == 0 ? (gelu(5) + gelu(7)) / 2 : j == 1 ? (gelu(3) + gelu(5)) / 2 : gelu(5))
                : gelu(expectedScales[j]);
            Assert.InRange(Math.Abs(expected - values[j * D + runLabels[j]]), 0, 1e-5); // float32 GELU, one element vs a batch
            Assert.Equal(expectedScales[j], expected, 1); // GELU(s) ~ s for these s, so the runs' scales show
        }
        Assert.True(loss!.ToDouble() is > 0 and < 50);
    }

    [Fact]
    public void AutocastRunsMatmulsInHalfPrecisionOnCudaOnly()
    {
        Assert.Null(Autocast.ComputeDtype(torch.CPU, ScalarType.BFloat16));
        Assert.Null(Autocast.ComputeDtype(new Device(DeviceType.CUDA, 0), ScalarType.Float32));
        Assert.Equal(ScalarType.Float16, Autocast.ComputeDtype(new Device(DeviceType.CUDA, 0), ScalarType.Float16));
        Assert.Equal(ScalarType.BFloat16, Autocast.ParsePrecision("bf16"));
        Assert.Throws<ArgumentException>(() => Autocast.ParsePrecision("int8"));

        torch.manual_seed(unchecked((long)(4)));
        using var model = new AsrModel(Tiny, Abc);
        model.eval();
        using var batch = AsrBatch.Collate([new("u", new SpeechTokens([1, 2, 3, 0, 2]), "abc")], Abc, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var full = model.forward(batch).Logits;
        Tensor onCpu, forced;
        using (Autocast.Enable(torch.CPU, ScalarType.BFloat16)) onCpu = model.forward(batch).Logits;
        using (Autocast.Force(ScalarType.BFloat16)) forced = model.forward(batch).Logits;
        Assert.Null(Autocast.Current);
        Assert.Equal(0.0, MaxAbsDiff(full, onCpu)); // a no-op on CPU
        Assert.Equal(ScalarType.Float32, forced.dtype); // the cast path returns float32 ...
        var diff = MaxAbsDiff(full, forced);
        Assert.InRange(diff, 1e-6, 0.05); // ... computed in bfloat16 (close, not equal)
    }

    [Fact]
    public void SaveAndLoadKeepConfigVocabularyAndWeights()
    {
        torch.manual_seed(unchecked((long)(5)));
        var config = Tiny with { Positions = PositionEncoding.Rotary };
        using var model = new AsrModel(config, Abc);
        model.eval();
        var path = Path.Combine(Path.GetTempPath(), $"asr-model-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            using var loaded = AsrModel.Load(path);
            loaded.eval();
            Assert.Equal(config, loaded.Config);
            Assert.Equal(Abc, loaded.Vocabulary);
            using var batch = AsrBatch.Collate([new("u", new SpeechTokens([1, 2]), "ca")], Abc, torch.CPU);
            using var scope = torch.NewDisposeScope();
            Assert.Equal(0.0, MaxAbsDiff(model.forward(batch).Logits, loaded.forward(batch).Logits));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
