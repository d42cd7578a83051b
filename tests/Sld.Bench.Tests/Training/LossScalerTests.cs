// The fp16 loss scaler's rules: disabled it is the identity; enabled, an overflowing step is skipped and halves
// the scale, and every GrowthInterval good steps double it; its state round-trips through checkpoints.
using Sld.Bench.Training;

namespace Sld.Bench.Tests.Training;

public class LossScalerTests
{
    [Fact]
    public void SkipsOverflowingStepsAndAdaptsTheScale()
    {
        var off = new LossScaler(enabled: false);
        Assert.Equal(1.0, off.Scale);
        Assert.True(off.Update(gradientsFinite: false)); // disabled: never skips, never scales
        Assert.Equal(1.0, off.Scale);

        var s = new LossScaler(enabled: true, initialScale: 1024, growthInterval: 3);
        Assert.False(s.Update(false));
        Assert.Equal(512, s.Scale);
        Assert.True(s.Update(true));
        Assert.True(s.Update(true));
        Assert.Equal(512, s.Scale);
        Assert.True(s.Update(true)); // third good step in a row
        Assert.Equal(1024, s.Scale);
        Assert.True(s.Update(true));
        var restored = new LossScaler(enabled: true, initialScale: 1, growthInterval: 3);
        restored.Restore(s.State.scale, s.State.goodSteps);
        Assert.Equal((1024.0, 1), restored.State);
        restored.Update(true);
        restored.Update(true);
        Assert.Equal(2048, restored.Scale);
    }
}
