// The standard layers, initialised exactly as PyTorch initialises them (so a seeded model starts from the
// same distribution): Linear, Embedding, LayerNorm, GroupNorm, Conv1d, ConvTranspose1d, Dropout, GELU.
using F = Sld.Bench.Torch.torch.nn.functional;

namespace Sld.Bench.Torch.Modules;

public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long in_features, long out_features, bool bias = true, Device? device = null)
    {
        InFeatures = in_features;
        OutFeatures = out_features;
        weight = register_parameter("weight", torch.empty([out_features, in_features], device: device));
        torch.nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (bias)
        {
            this.bias = register_parameter("bias", torch.empty([out_features], device: device));
            var bound = in_features > 0 ? 1 / Math.Sqrt(in_features) : 0;
            torch.nn.init.uniform_(this.bias, -bound, bound);
        }
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public Tensor weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) => F.linear(x, weight, bias); // (..., in) -> (..., out)
}

public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, Device? device = null)
    {
        PaddingIdx = padding_idx;
        weight = register_parameter("weight", torch.empty([num_embeddings, embedding_dim], device: device));
        torch.nn.init.normal_(weight);
        if (padding_idx is { } p)
        {
            using var _ = torch.no_grad();
            using var row = weight.select(0, p);
            row.zero_();
        }
    }

    public long? PaddingIdx { get; }
    public Tensor weight { get; }

    public override Tensor forward(Tensor ids) => F.embedding(ids, weight, PaddingIdx ?? -1); // (...) -> (..., dim)
}

public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true, Device? device = null)
    {
        Shape = [normalized_shape];
        Eps = eps;
        if (elementwise_affine)
        {
            weight = register_parameter("weight", torch.ones(Shape, device: device));
            if (bias) this.bias = register_parameter("bias", torch.zeros(Shape, device: device));
        }
    }

    public long[] Shape { get; }
    public double Eps { get; }
    public Tensor? weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) => F.layer_norm(x, Shape, weight, bias, Eps);
}

public sealed class GroupNorm : Module<Tensor, Tensor>
{
    public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, Device? device = null)
    {
        Groups = num_groups;
        Eps = eps;
        if (affine)
        {
            weight = register_parameter("weight", torch.ones([num_channels], device: device));
            bias = register_parameter("bias", torch.zeros([num_channels], device: device));
        }
    }

    public long Groups { get; }
    public double Eps { get; }
    public Tensor? weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) => F.group_norm(x, Groups, weight, bias, Eps); // (N, C, L)
}

public sealed class Conv1d : Module<Tensor, Tensor>
{
    public Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
                  long groups = 1, bool bias = true, Device? device = null)
    {
        if (in_channels % groups != 0 || out_channels % groups != 0)
            throw new ArgumentException($"channels ({in_channels} in, {out_channels} out) must be divisible by groups ({groups})");
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        weight = register_parameter("weight", torch.empty([out_channels, in_channels / groups, kernel_size], device: device));
        torch.nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (bias)
        {
            this.bias = register_parameter("bias", torch.empty([out_channels], device: device));
            var bound = 1 / Math.Sqrt(in_channels / groups * kernel_size);
            torch.nn.init.uniform_(this.bias, -bound, bound);
        }
    }

    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }
    public Tensor weight { get; }
    public Tensor? bias { get; }

    /// <summary>Output length for an input of length L: floor((L + 2p - d(k-1) - 1) / s) + 1.</summary>
    public long OutputLength(long length) => (length + 2 * Padding - Dilation * (weight.size(2) - 1) - 1) / Stride + 1;

    public override Tensor forward(Tensor x) => F.conv1d(x, weight, bias, Stride, Padding, Dilation, Groups); // (N, C, L)
}

public sealed class ConvTranspose1d : Module<Tensor, Tensor>
{
    public ConvTranspose1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0,
                           long output_padding = 0, long groups = 1, bool bias = true, long dilation = 1, Device? device = null)
    {
        Stride = stride;
        Padding = padding;
        OutputPadding = output_padding;
        Groups = groups;
        Dilation = dilation;
        weight = register_parameter("weight", torch.empty([in_channels, out_channels / groups, kernel_size], device: device));
        torch.nn.init.kaiming_uniform_(weight, Math.Sqrt(5));
        if (bias)
        {
            this.bias = register_parameter("bias", torch.empty([out_channels], device: device));
            // PyTorch computes fan_in from the weight's dim 1, i.e. out_channels / groups * kernel for transposed convs.
            var bound = 1 / Math.Sqrt(out_channels / groups * kernel_size);
            torch.nn.init.uniform_(this.bias, -bound, bound);
        }
    }

    public long Stride { get; }
    public long Padding { get; }
    public long OutputPadding { get; }
    public long Groups { get; }
    public long Dilation { get; }
    public Tensor weight { get; }
    public Tensor? bias { get; }

    public override Tensor forward(Tensor x) =>
        F.conv_transpose1d(x, weight, bias, Stride, Padding, OutputPadding, Groups, Dilation);
}

public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "must be in [0, 1]");

    public override Tensor forward(Tensor x) => P == 0 || !training ? x.alias() : F.dropout(x, P, training);
}

public sealed class GELU(string approximate = "none") : Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor x) => F.gelu(x, approximate);
}

/// <summary>Submodules applied in order; registered as "0", "1", ... like nn.Sequential.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var layer in layers) _layers.Add(register_module(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
    }

    public int Count => _layers.Count;

    public Module<Tensor, Tensor> this[int i] => _layers[i];

    public override Tensor forward(Tensor x)
    {
        var current = x;
        foreach (var layer in _layers)
        {
            var next = layer.forward(current);
            if (!ReferenceEquals(current, x)) current.Dispose();
            current = next;
        }
        return ReferenceEquals(current, x) ? x.alias() : current;
    }
}

/// <summary>An indexed list of submodules registered as "0", "1", ... like nn.ModuleList.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    public ModuleList(IEnumerable<T> items)
    {
        foreach (var item in items) Add(item);
    }

    public void Add(T item) => _items.Add(register_module(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), item));

    public T this[int index] => _items[index];

    public int Count => _items.Count;

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
