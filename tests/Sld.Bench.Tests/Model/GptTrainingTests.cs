// Training behaviour of the GPT on TorchSharp: it can overfit one batch, a long loop does not leak tensors
// (TorchSharp's dispose-scope statistics), and the same seed gives bit-identical losses on CPU.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Model;

[Collection(LiveCountCollection.Name)]
public class GptTrainingTests
{
    private static readonly GptConfig Tiny = new(VocabSize: 50, BlockSize: 16, Layers: 2, Heads: 2, Embd: 32, Dropout: 0.1);

    /// <summary>Trains on one fixed batch; returns the loss of every step.</summary>
    private static List<float> Train(ulong seed, int steps, GptConfig config, int batch = 4, int length = 12, double lr = 3e-3)
    {
        torch.manual_seed(unchecked((long)(seed)));
        using var model = new Gpt(config);
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: lr, weight_decay: 0.0);
        using var data = torch.NewDisposeScope();
        var tokens = torch.randint(0, config.VocabSize, [batch, length + 1]);
        var x = tokens.slice(1, 0, length, 1);
        var y = tokens.slice(1, 1, length + 1, 1);
        var losses = new List<float>(steps);
        for (var step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var loss = model.loss(model.forward(x), y);
            loss.backward();
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            optimizer.zero_grad();
            losses.Add(loss.ToSingle());
        }
        return losses;
    }

    [Fact]
    public void OverfitsOneBatchToNearZeroLoss()
    {
        var losses = Train(seed: 1, steps: 300, Tiny with { Dropout = 0 });
        Assert.InRange(losses[0], 3.0f, 5.0f); // about ln(50) = 3.9 at initialisation
        Assert.True(losses[^1] < 0.05f, $"final loss {losses[^1]} after 300 steps");
    }

    [Fact]
    public void LiveTensorCountDoesNotGrowOver1000Steps()
    {
        var before = LiveTensors.Count;
        torch.manual_seed(unchecked((long)(2)));
        using (var model = new Gpt(Tiny with { Layers = 1, Embd = 16 }))
        using (var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-3))
        {
            var afterSetup = LiveTensors.Count;
            long atStep10 = 0;
            for (var step = 0; step < 1000; step++)
            {
                using var scope = torch.NewDisposeScope();
                var tokens = torch.randint(0, 50, [2, 9]);
                var loss = model.loss(model.forward(tokens.slice(1, 0, 8, 1)), tokens.slice(1, 1, 9, 1));
                loss.backward();
                optimizer.step();
                optimizer.zero_grad();
                _ = loss.ToSingle();
                if (step == 10) atStep10 = LiveTensors.Count;
            }
            Assert.Equal(afterSetup, LiveTensors.Count);
            Assert.True(atStep10 > afterSetup, "the scope should have owned the step's temporaries while open");
        }
        Assert.Equal(before, LiveTensors.Count);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalLosses()
    {
        var a = Train(seed: 7, steps: 20, Tiny);
        var b = Train(seed: 7, steps: 20, Tiny);
        var c = Train(seed: 8, steps: 20, Tiny);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCountCollection
{
    public const string Name = "live tensor count";
}
