// Module mechanics: registration order and dotted names, state dicts, strict loading errors, train/eval,
// dtype moves that keep tensor identity, and the PyTorch default initialisation bounds.
using Sld.Bench.Torch.Modules;
using Sld.Bench.Torch.Serialization;

namespace Sld.Bench.Torch.Tests;

public class ModuleTests
{
    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net()
        {
            emb = register_module("emb", new Embedding(10, 4, padding_idx: 0));
            layers = register_module("layers", new Sequential(new Linear(4, 8), new GELU(), new Dropout(0.5), new Linear(8, 3)));
            norm = register_module("norm", new LayerNorm(3));
            register_buffer("steps", torch.zeros([1], ScalarType.Int64));
            register_buffer("scratch", torch.zeros([2]), persistent: false);
        }

        public Embedding emb { get; }
        public Sequential layers { get; }
        public LayerNorm norm { get; }

        public override Tensor forward(Tensor ids) => norm.forward(layers.forward(emb.forward(ids)));
    }

    [Fact]
    public void NamesFollowRegistrationOrderLikePyTorch()
    {
        using var net = new Net();
        Assert.Equal(
            ["emb.weight", "layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias", "norm.weight", "norm.bias"],
            net.named_parameters().Select(p => p.name));
        // As in PyTorch: each module's own parameters and buffers, then its children's.
        Assert.Equal(["steps", .. net.named_parameters().Select(p => p.name)], net.state_dict().Keys);
        Assert.DoesNotContain("scratch", net.state_dict().Keys);
        Assert.Equal(10 * 4 + 4 * 8 + 8 + 8 * 3 + 3 + 3 + 3, net.parameter_count());
    }

    [Fact]
    public void TrainAndEvalReachEverySubmodule()
    {
        using var net = new Net();
        net.eval();
        Assert.All(net.named_modules(), m => Assert.False(m.module.training));
        net.train();
        Assert.All(net.named_modules(), m => Assert.True(m.module.training));
    }

    [Fact]
    public void EvalModeIsDeterministicAndTrainModeDropsOut()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new Net();
        var ids = torch.tensor(new long[] { 1, 2, 3, 4 });
        net.eval();
        Assert.Equal(net.forward(ids).ToArray<float>(), net.forward(ids).ToArray<float>());
        net.train();
        torch.manual_seed(1);
        var a = net.forward(ids).ToArray<float>();
        torch.manual_seed(2);
        var b = net.forward(ids).ToArray<float>();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void StateDictRoundTripsThroughSafetensorsBitExactly()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"sldbench-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            torch.manual_seed(5);
            using var a = new Net();
            a.save(path);
            torch.manual_seed(6);
            using var b = new Net();
            Assert.NotEqual(a.layers[0].parameters().First().ToBytes(), b.layers[0].parameters().First().ToBytes());
            b.load(path);
            foreach (var ((name, pa), (_, pb)) in a.state_dict().Zip(b.state_dict()))
                Assert.True(pa.ToBytes().SequenceEqual(pb.ToBytes()), $"{name} differs after load");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StrictLoadNamesMissingUnexpectedAndMisshapenKeys()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new Net();
        var state = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        state.Remove("norm.bias");
        state["extra.weight"] = torch.zeros([1]);
        var e = Assert.Throws<InvalidDataException>(() => net.load_state_dict(state));
        Assert.Contains("missing [norm.bias]", e.Message);
        Assert.Contains("unexpected [extra.weight]", e.Message);
        var (missing, unexpected) = net.load_state_dict(state, strict: false);
        Assert.Equal(["norm.bias"], missing);
        Assert.Equal(["extra.weight"], unexpected);
        state = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        state["norm.weight"] = torch.zeros([4]);
        e = Assert.Throws<InvalidDataException>(() => net.load_state_dict(state));
        Assert.Contains("'norm.weight' has shape [4] but the model expects [3]", e.Message);
    }

    [Fact]
    public void DtypeMoveKeepsParameterIdentityAndIntegerBuffers()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new Net();
        var weight = net.norm.weight!;
        net.to(ScalarType.Float64);
        Assert.Same(weight, net.norm.weight);
        Assert.Equal(ScalarType.Float64, weight.dtype);
        Assert.True(weight.requires_grad);
        Assert.Equal(ScalarType.Int64, net.named_buffers().Single(b => b.name == "steps").buffer.dtype);
        Assert.Equal(ScalarType.Float64, net.forward(torch.tensor(new long[] { 1 })).dtype);
    }

    [Fact]
    public void DefaultInitialisationMatchesPyTorchBounds()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using var linear = new Linear(400, 300);
        var bound = 1 / Math.Sqrt(400);
        Assert.InRange(linear.weight.abs().max().item<double>(), 0.9 * bound, bound);
        Assert.InRange(linear.bias!.abs().max().item<double>(), 0.9 * bound, bound);
        // U(-b, b) has standard deviation b / sqrt(3).
        Assert.InRange(linear.weight.std().item<double>(), 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));
        using var emb = new Embedding(1000, 64, padding_idx: 3);
        Assert.InRange(emb.weight.std().item<double>(), 0.97, 1.03);
        Assert.Equal(0, emb.weight.select(0, 3).abs().sum().item<double>());
        using var conv = new Conv1d(8, 16, 5, groups: 2);
        Assert.Equal([16L, 4, 5], conv.weight.shape);
        Assert.InRange(conv.weight.abs().max().item<double>(), 0, 1 / Math.Sqrt(4 * 5));
        Assert.Equal(11, conv.OutputLength(15));
    }
}
