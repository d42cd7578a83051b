// The GPT of harness/Sld.Bench/Model/Gpt.cs rebuilt on TorchSharp modules for the benchmark: pre-LayerNorm
// blocks, fused c_attn, GELU MLP 4x, learned positions, tied embeddings, GPT-2 init, dropout 0. Attention is
// TorchSharp's fused scaled_dot_product_attention; each forward frees its temporaries in its own dispose scope,
// as the old binding's Gpt does, so that both sides hold the same memory through backward.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Bench.TorchSharpStep;

public sealed record TorchSharpGptConfig(int VocabSize, int BlockSize, int Layers, int Heads, int Embd);

public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;
    private readonly Linear c_attn;
    private readonly Linear c_proj;

    public CausalSelfAttention(TorchSharpGptConfig c) : base(nameof(CausalSelfAttention))
    {
        _heads = c.Heads;
        c_attn = nn.Linear(c.Embd, 3L * c.Embd); // q, k, v for all heads at once
        c_proj = nn.Linear(c.Embd, c.Embd);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var temporaries = NewDisposeScope();
        var (B, T, C) = (x.size(0), x.size(1), x.size(2));
        var qkv = c_attn.forward(x).split(C, 2); // 3 x (B, T, C)
        var q = qkv[0].view(B, T, _heads, C / _heads).transpose(1, 2); // (B, H, T, hs)
        var k = qkv[1].view(B, T, _heads, C / _heads).transpose(1, 2);
        var v = qkv[2].view(B, T, _heads, C / _heads).transpose(1, 2);
        var y = F.scaled_dot_product_attention(q, k, v, is_casual: true); // (B, H, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C); // heads side by side
        return c_proj.forward(y).MoveToOuterDisposeScope();
    }
}

public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear c_fc;
    private readonly Linear c_proj;

    public Mlp(TorchSharpGptConfig c) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(c.Embd, 4L * c.Embd);
        c_proj = nn.Linear(4L * c.Embd, c.Embd);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var temporaries = NewDisposeScope();
        return c_proj.forward(F.gelu(c_fc.forward(x))).MoveToOuterDisposeScope(); // (B, T, C)
    }
}

public sealed class Block : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly LayerNorm ln_2;
    private readonly Mlp mlp;

    public Block(TorchSharpGptConfig c) : base(nameof(Block))
    {
        ln_1 = nn.LayerNorm(c.Embd);
        attn = new CausalSelfAttention(c);
        ln_2 = nn.LayerNorm(c.Embd);
        mlp = new Mlp(c);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var temporaries = NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x)); // (B, T, C)
        return (x + mlp.forward(ln_2.forward(x))).MoveToOuterDisposeScope();
    }
}

public sealed class TorchSharpGpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;

    public TorchSharpGpt(TorchSharpGptConfig c) : base(nameof(TorchSharpGpt))
    {
        if (c.Embd % c.Heads != 0) throw new ArgumentException($"embedding width {c.Embd} is not divisible by {c.Heads} heads");
        Config = c;
        wte = nn.Embedding(c.VocabSize, c.Embd);
        wpe = nn.Embedding(c.BlockSize, c.Embd);
        h = nn.ModuleList(Enumerable.Range(0, c.Layers).Select(_ => new Block(c)).ToArray());
        ln_f = nn.LayerNorm(c.Embd);
        RegisterComponents();
        InitWeights();
    }

    public TorchSharpGptConfig Config { get; }

    /// <summary>GPT-2 initialisation: N(0, 0.02) everywhere, residual projections scaled by 1/sqrt(2 * layers).</summary>
    private void InitWeights()
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) nn.init.zeros_(p);
            else if (name.StartsWith("ln_", StringComparison.Ordinal) || name.Contains(".ln_")) nn.init.ones_(p);
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) nn.init.normal_(p, 0, 0.02 / Math.Sqrt(2.0 * Config.Layers));
            else nn.init.normal_(p, 0, 0.02);
        }
    }

    /// <summary>Next-token logits (B, T, V) for token ids (B, T); the output projection is wte (tied).</summary>
    public override Tensor forward(Tensor idx)
    {
        using var temporaries = NewDisposeScope();
        var T = idx.size(1);
        if (T > Config.BlockSize) throw new ArgumentException($"sequence of {T} positions exceeds the block size {Config.BlockSize}");
        var pos = arange(0, T, dtype: ScalarType.Int64, device: idx.device); // (T)
        var x = wte.forward(idx) + wpe.forward(pos); // (B, T, C)
        foreach (var block in h) x = block.forward(x);
        return F.linear(ln_f.forward(x), wte.weight!).MoveToOuterDisposeScope(); // (B, T, V)
    }

    /// <summary>Mean next-token cross-entropy over positions whose target is not -1.</summary>
    public static Tensor Loss(Tensor logits, Tensor targets) =>
        F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index: -1);
}
