using Sld.Bench.Torch;

namespace Sld.Bench.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void AddsTwoTensors()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3 });
        var b = torch.ones([3]);
        var c = a + b * 2;
        Assert.Equal(new float[] { 3, 4, 5 }, c.ToArray<float>());
        Assert.Equal("1.13.0", torch.version);
    }

    [Fact]
    public void ShapeMismatchNamesTheOp()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones([2, 3]);
        var b = torch.ones([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Equal("matmul", e.Op);
        Assert.Contains("shapes cannot be multiplied", e.Message);
    }
}
