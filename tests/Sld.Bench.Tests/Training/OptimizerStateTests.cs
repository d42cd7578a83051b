// What checkpoints and schedules need from TorchSharp's AdamW: the learning rate a schedule sets is the one the
// step uses, and moments saved with StateTensors and put back with LoadState continue bit for bit.
using Sld.Bench.Tensors;
using Sld.Bench.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Training;

public class OptimizerStateTests
{
    private static (Linear model, AdamW optimizer) Make()
    {
        torch.manual_seed(5);
        var model = nn.Linear(4, 3);
        return (model, torch.optim.AdamW(model.parameters(), lr: 1e-2, weight_decay: 0.1));
    }

    private static void Step(Linear model, AdamW optimizer, int seed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(seed);
        model.forward(torch.randn(8, 4)).square().mean().backward();
        optimizer.step();
        optimizer.zero_grad();
    }

    [Fact]
    public void TheScheduledLearningRateIsTheOneTheStepUses()
    {
        var (model, optimizer) = Make();
        using var _ = model;
        using var before = model.weight!.detach().clone();
        optimizer.SetLearningRate(0);
        Step(model, optimizer, 1);
        Assert.Equal(before.ToArray<float>(), model.weight!.ToArray<float>()); // lr 0: no Adam step and no decay
        optimizer.SetLearningRate(1e-2);
        Step(model, optimizer, 2);
        Assert.NotEqual(before.ToArray<float>(), model.weight!.ToArray<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() => optimizer.SetLearningRate(double.NaN));
    }

    [Fact]
    public void SavedMomentsContinueBitForBit()
    {
        var (a, optA) = Make();
        var (b, optB) = Make();
        using var _a = a;
        using var _b = b;
        for (var i = 0; i < 3; i++) Step(a, optA, 10 + i);
        // b restores a's weights and moments after three steps, then both take the same two steps.
        b.LoadWeights(a.state_dict(), "a");
        var saved = optA.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        optB.LoadState(saved, optA.StepCount(), "a's checkpoint");
        Assert.Equal(3, optB.StepCount());
        for (var i = 3; i < 5; i++)
        {
            Step(a, optA, 10 + i);
            Step(b, optB, 10 + i);
        }
        Assert.Equal(a.weight!.ToArray<float>(), b.weight!.ToArray<float>());
        Assert.Equal(a.bias!.ToArray<float>(), b.bias!.ToArray<float>());

        saved.Remove("state.1.exp_avg");
        Assert.Contains("state.1.exp_avg", Assert.Throws<InvalidDataException>(() => optB.LoadState(saved, 5, "cut.safetensors")).Message);
        foreach (var t in saved.Values) t.Dispose();
    }
}
