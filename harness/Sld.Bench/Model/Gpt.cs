// A GPT-style decoder-only Transformer in forward order: embeddings, causal self-attention, MLP, block,
// model. Pre-LayerNorm, learned positions, weights initialised as in GPT-2/nanoGPT. Parameter names follow
// nanoGPT without its "transformer." prefix (wte, wpe, h.N.attn.c_attn, ..., ln_f, lm_head).
using Sld.Bench.Torch;
using Sld.Bench.Torch.Modules;
using F = Sld.Bench.Torch.torch.nn.functional;

namespace Sld.Bench.Model;

/// <param name="VocabSize">Shared vocabulary: text units, speech tokens and specials.</param>
/// <param name="BlockSize">Longest sequence the position table covers.</param>
/// <param name="TieEmbeddings">Use the token embedding as the output projection (GPT-2 does).</param>
public sealed record GptConfig(
    int VocabSize,
    int BlockSize,
    int Layers,
    int Heads,
    int Embd,
    double Dropout = 0.0,
    bool Bias = true,
    bool TieEmbeddings = true)
{
    public void Validate()
    {
        if (VocabSize < 1 || BlockSize < 1 || Layers < 1 || Heads < 1 || Embd < 1)
            throw new ArgumentException($"GPT sizes must be positive: {this}");
        if (Embd % Heads != 0) throw new ArgumentException($"embedding width {Embd} is not divisible by {Heads} heads");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"dropout {Dropout} must be in [0, 1)");
    }
}

public sealed class CausalSelfAttention : Module<Tensor, Tensor>
{
    private readonly int _heads;
    private readonly double _dropout;

    public CausalSelfAttention(GptConfig c)
    {
        _heads = c.Heads;
        _dropout = c.Dropout;
        c_attn = register_module("c_attn", new Linear(c.Embd, 3L * c.Embd, c.Bias)); // q, k, v for all heads at once
        c_proj = register_module("c_proj", new Linear(c.Embd, c.Embd, c.Bias));
        resid_dropout = register_module("resid_dropout", new Dropout(c.Dropout));
    }

    public Linear c_attn { get; }
    public Linear c_proj { get; }
    public Dropout resid_dropout { get; }

    public override Tensor forward(Tensor x)
    {
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        var (B, T, C) = (x.size(0), x.size(1), x.size(2));
        var qkv = c_attn.forward(x).split(C, 2); // 3 x (B, T, C)
        var q = qkv[0].view(B, T, _heads, C / _heads).transpose(1, 2); // (B, H, T, hs)
        var k = qkv[1].view(B, T, _heads, C / _heads).transpose(1, 2);
        var v = qkv[2].view(B, T, _heads, C / _heads).transpose(1, 2);
        var y = F.scaled_dot_product_attention(q, k, v, dropout_p: training ? _dropout : 0, is_causal: true); // (B, H, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C); // re-assemble heads side by side
        return resid_dropout.forward(c_proj.forward(y)).MoveToOuterDisposeScope();
    }
}

public sealed class Mlp : Module<Tensor, Tensor>
{
    public Mlp(GptConfig c)
    {
        c_fc = register_module("c_fc", new Linear(c.Embd, 4L * c.Embd, c.Bias));
        c_proj = register_module("c_proj", new Linear(4L * c.Embd, c.Embd, c.Bias));
        dropout = register_module("dropout", new Dropout(c.Dropout));
    }

    public Linear c_fc { get; }
    public Linear c_proj { get; }
    public Dropout dropout { get; }

    public override Tensor forward(Tensor x)
    {
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        return dropout.forward(c_proj.forward(F.gelu(c_fc.forward(x)))).MoveToOuterDisposeScope(); // (B, T, C)
    }
}

public sealed class Block : Module<Tensor, Tensor>
{
    public Block(GptConfig c)
    {
        ln_1 = register_module("ln_1", new LayerNorm(c.Embd, bias: c.Bias));
        attn = register_module("attn", new CausalSelfAttention(c));
        ln_2 = register_module("ln_2", new LayerNorm(c.Embd, bias: c.Bias));
        mlp = register_module("mlp", new Mlp(c));
    }

    public LayerNorm ln_1 { get; }
    public CausalSelfAttention attn { get; }
    public LayerNorm ln_2 { get; }
    public Mlp mlp { get; }

    public override Tensor forward(Tensor x)
    {
        // Each forward frees its temporaries on return, as Python's reference counting does: autograd keeps
        // what backward needs, and what it does not need is not held until the training step's scope closes
        // (which would double the memory that backward has to take fresh from the allocator).
        using var temporaries = torch.NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x)); // (B, T, C)
        return (x + mlp.forward(ln_2.forward(x))).MoveToOuterDisposeScope();
    }
}

public sealed class Gpt : Module<Tensor, Tensor>
{
    public Gpt(GptConfig config)
    {
        config.Validate();
        Config = config;
        wte = register_module("wte", new Embedding(config.VocabSize, config.Embd));
        wpe = register_module("wpe", new Embedding(config.BlockSize, config.Embd));
        drop = register_module("drop", new Dropout(config.Dropout));
        h = register_module("h", new ModuleList<Block>(Enumerable.Range(0, config.Layers).Select(_ => new Block(config))));
        ln_f = register_module("ln_f", new LayerNorm(config.Embd, bias: config.Bias));
        if (!config.TieEmbeddings) lm_head = register_module("lm_head", new Linear(config.Embd, config.VocabSize, bias: false));
        InitWeights();
    }

    public GptConfig Config { get; }
    public Embedding wte { get; }
    public Embedding wpe { get; }
    public Dropout drop { get; }
    public ModuleList<Block> h { get; }
    public LayerNorm ln_f { get; }
    public Linear? lm_head { get; }

    /// <summary>GPT-2 initialisation: N(0, 0.02) everywhere, residual projections scaled by 1/sqrt(2 * layers).</summary>
    private void InitWeights()
    {
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) torch.nn.init.zeros_(p);
            else if (name.StartsWith("ln_", StringComparison.Ordinal) || name.Contains(".ln_")) torch.nn.init.ones_(p);
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) torch.nn.init.normal_(p, 0, 0.02 / Math.Sqrt(2.0 * Config.Layers));
            else torch.nn.init.normal_(p, 0, 0.02);
        }
    }

    /// <summary>Hidden states after the final LayerNorm, from token embeddings (B, T, C).</summary>
    public Tensor forward_embeddings(Tensor tokenEmbeddings)
    {
        var T = tokenEmbeddings.size(1);
        if (T > Config.BlockSize) throw new ArgumentException($"sequence of {T} positions exceeds the block size {Config.BlockSize}");
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        var pos = torch.arange(T, device: tokenEmbeddings.device); // (T)
        var x = drop.forward(tokenEmbeddings + wpe.forward(pos)); // (B, T, C)
        foreach (var block in h) x = block.forward(x);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>Next-token logits (B, T, V) for token ids (B, T).</summary>
    public override Tensor forward(Tensor idx)
    {
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        return logits(forward_embeddings(wte.forward(idx))).MoveToOuterDisposeScope();
    }

    /// <summary>The output projection (tied to wte unless configured otherwise).</summary>
    public Tensor logits(Tensor hidden) => lm_head is null ? F.linear(hidden, wte.weight) : lm_head.forward(hidden);

    /// <summary>Mean next-token cross-entropy over positions whose target is not <paramref name="ignoreIndex"/>.</summary>
    public Tensor loss(Tensor logits, Tensor targets, long ignoreIndex = -1) =>
        F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index: ignoreIndex);
}
