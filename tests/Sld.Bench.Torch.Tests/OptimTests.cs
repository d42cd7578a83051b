// Optimisers and schedules: AdamW and SGD against their closed forms, clipping by global norm, schedule
// values at the boundaries, and optimizer state that survives a save/restore.
using Sld.Bench.Torch.Optim;

namespace Sld.Bench.Torch.Tests;

public class OptimTests
{
    [Fact]
    public void AdamWFirstStepMovesEachWeightByLrTimesSignPlusDecay()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new float[] { 1f, -2f, 3f }).requires_grad_().DetachFromDisposeScope();
        using var opt = new AdamW([w], lr: 0.1, weight_decay: 0.5);
        (w * torch.tensor(new float[] { 2f, -3f, 0.5f })).sum().backward();
        opt.step();
        // Step 1 of Adam: m_hat / (sqrt(v_hat) + eps) = sign(g). Decoupled decay first: w *= 1 - lr * wd.
        var expected = new[] { 1 * 0.95 - 0.1, -2 * 0.95 + 0.1, 3 * 0.95 - 0.1 };
        var got = w.ToArray<float>();
        for (var i = 0; i < 3; i++) Assert.Equal(expected[i], got[i], 5);
        Assert.Equal(1, opt.StepCount);
        w.Dispose();
    }

    [Fact]
    public void SgdWithMomentumFollowsTheRecurrence()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.tensor(new double[] { 1.0 }).requires_grad_().DetachFromDisposeScope();
        using var opt = new SGD([w], lr: 0.1, momentum: 0.9);
        double value = 1, buf = 0;
        for (var i = 0; i < 3; i++)
        {
            using (torch.NewDisposeScope()) (w * w).sum().backward(); // grad = 2w
            opt.step();
            opt.zero_grad();
            buf = 0.9 * buf + 2 * value;
            value -= 0.1 * buf;
            Assert.Equal(value, w.item<double>(), 12);
        }
        w.Dispose();
    }

    [Fact]
    public void ClipGradNormScalesToMaxNormAndReportsTheNormBefore()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.zeros([2]).requires_grad_();
        var b = torch.zeros([1]).requires_grad_();
        (a * torch.tensor(new float[] { 3, 0 }) + 0).sum().backward();
        (b * torch.tensor(new float[] { 4 })).sum().backward();
        var norm = torch.nn.utils.clip_grad_norm_([a, b], 1.0);
        Assert.Equal(5.0, norm, 5);
        Assert.Equal(0.6f, a.grad!.ToArray<float>()[0], 5);
        Assert.Equal(0.8f, b.grad!.ToArray<float>()[0], 5);
        // Below the limit nothing changes.
        Assert.Equal(1.0, torch.nn.utils.clip_grad_norm_([a, b], 10.0), 4);
        Assert.Equal(0.6f, a.grad!.ToArray<float>()[0], 5);
    }

    [Theory]
    [InlineData(DecayKind.Linear, 1, 0.1)]
    [InlineData(DecayKind.Linear, 10, 1.0)]
    [InlineData(DecayKind.Linear, 55, 0.5)]
    [InlineData(DecayKind.Linear, 100, 0.0)]
    [InlineData(DecayKind.Linear, 500, 0.0)]
    [InlineData(DecayKind.Cosine, 55, 0.5)]
    [InlineData(DecayKind.Cosine, 100, 0.0)]
    [InlineData(DecayKind.Constant, 77, 1.0)]
    public void ScheduleWarmsUpThenDecays(DecayKind kind, long step, double factor)
    {
        var schedule = new LrSchedule(kind, WarmupSteps: 10, TotalSteps: 100);
        Assert.Equal(factor, schedule.Factor(step), 10);
    }

    [Fact]
    public void CosineScheduleRespectsItsFloor()
    {
        var schedule = new LrSchedule(DecayKind.Cosine, 0, 100, MinFactor: 0.1);
        Assert.Equal(0.1, schedule.Factor(100), 10);
        Assert.Equal(0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * 0.25)), schedule.Factor(25), 10);
    }

    [Fact]
    public void RestoredOptimizerContinuesExactlyLikeTheOriginal()
    {
        using var scope = torch.NewDisposeScope();
        Tensor Run(AdamW opt, Tensor w, int steps)
        {
            for (var i = 0; i < steps; i++)
            {
                using (torch.NewDisposeScope()) (w * w * w).sum().backward();
                opt.step();
                opt.zero_grad();
            }
            return w;
        }

        var w1 = torch.tensor(new float[] { 0.5f, -1.5f }).requires_grad_();
        using var o1 = new AdamW([w1], lr: 0.05);
        Run(o1, w1, 3);
        var snapshot = o1.state_tensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var w2 = w1.detach().clone().requires_grad_();
        using var o2 = new AdamW([w2], lr: 0.05);
        o2.load_state(snapshot, o1.StepCount);
        Run(o1, w1, 4);
        Run(o2, w2, 4);
        Assert.Equal(w1.ToArray<float>(), w2.ToArray<float>());
    }
}
