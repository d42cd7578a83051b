// Lifetime and autograd plumbing: dispose scopes free what they own and nothing else, no_grad nests and
// restores, errors keep their op name, and grad/detach behave as in PyTorch.
namespace Sld.Bench.Torch.Tests;

[Collection(LiveCountCollection.Name)]
public class ScopeAndAutogradTests
{
    [Fact]
    public void ScopeFreesTemporariesButNotMovedOrDetachedTensors()
    {
        var before = TensorHandle.LiveCount;
        Tensor kept, detached;
        using (var outer = torch.NewDisposeScope())
        {
            using (var inner = torch.NewDisposeScope())
            {
                var a = torch.ones([3]);
                var b = a * 2;
                kept = b.MoveToOuterDisposeScope();
                detached = (a + 1).DetachFromDisposeScope();
                Assert.Equal(1, inner.Count); // only a: a * 2 moved out, a + 1 detached
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal(new float[] { 2, 2, 2 }, kept.ToArray<float>());
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);
        Assert.False(detached.IsDisposed);
        detached.Dispose();
        Assert.Equal(before, TensorHandle.LiveCount);
    }

    [Fact]
    public void NoGradNestsAndRestores()
    {
        Assert.True(torch.is_grad_enabled());
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            using (torch.enable_grad()) Assert.True(torch.is_grad_enabled());
            Assert.False(torch.is_grad_enabled());
            using var scope = torch.NewDisposeScope();
            var w = torch.ones([2], requires_grad: true);
            Assert.False((w * 3).requires_grad);
        }
        Assert.True(torch.is_grad_enabled());
    }

    [Fact]
    public void BackwardAccumulatesAndDetachStopsGradients()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 }).requires_grad_();
        (x * x).sum().backward();
        (x * 3).sum().backward();
        Assert.Equal(new double[] { 5, 7 }, x.grad!.ToArray<double>());
        var y = x.detach();
        Assert.False(y.requires_grad);
        Assert.True(x.is_leaf);
        Assert.False((x * 2).is_leaf);
        x.grad = null;
        Assert.Null(x.grad);
    }

    [Fact]
    public void NativeErrorsBecomeExceptionsNamingTheOp()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).view(4, 2));
        Assert.Equal("view", e.Op);
        Assert.Equal("sldt_view_view", e.NativeExport);
        Assert.Contains("shape '[4, 2]' is invalid for input of size 6", e.Message);
        e = Assert.Throws<TorchException>(() => torch.cat([torch.ones([2, 3]), torch.ones([2, 4])]));
        Assert.Equal("cat", e.Op);
        // The error state is per call: the next call succeeds.
        Assert.Equal(6, torch.ones([2, 3]).numel());
        var bad = Assert.Throws<TorchException>(() => torch.nn.functional.embedding(torch.ones([2]), torch.ones([4, 2])));
        Assert.Equal("embedding", bad.Op);
    }

    [Fact]
    public void NativeAndManagedLiveCountsAgree()
    {
        var managed = TensorHandle.LiveCount;
        var native = torch.native_live_tensors();
        using (var scope = torch.NewDisposeScope())
        {
            _ = torch.ones([2]) + torch.ones([2]);
            Assert.Equal(managed + 3, TensorHandle.LiveCount);
            Assert.Equal(native + 3, torch.native_live_tensors());
        }
        Assert.Equal(managed, TensorHandle.LiveCount);
        Assert.Equal(native, torch.native_live_tensors());
    }

    [Fact]
    public void DeviceSelectionFallsBackToCpuWithoutCuda()
    {
        var auto = Device.Auto();
        Assert.Equal(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, auto.Type);
        Assert.Equal(Device.CPU, Device.Parse("cpu"));
        Assert.Equal(Device.CUDA(1), Device.Parse("cuda:1"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
    }
}
