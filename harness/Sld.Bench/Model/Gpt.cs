// A GPT-style decoder-only Transformer in forward order: embeddings, causal self-attention, MLP, block,
// model. Pre-LayerNorm, learned or rotary positions, weights initialised as in GPT-2/nanoGPT. Parameter names
// follow nanoGPT without its "transformer." prefix (wte, wpe, h.N.attn.c_attn, ..., ln_f, lm_head). A
// DecoderContext adds per-row positions, an attention mask and a key/value cache for incremental decoding.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Model;

public enum PositionEncoding
{
    Learned,
    Rotary,
}

/// <param name="VocabSize">Shared vocabulary: text units, speech tokens and specials.</param>
/// <param name="BlockSize">Longest sequence the model attends over (learned position table size).</param>
/// <param name="TieEmbeddings">Use the token embedding as the output projection (GPT-2 does).</param>
/// <param name="Positions">Learned absolute positions (GPT-2) or rotary angles on queries and keys (GPT-NeoX style).</param>
public sealed record GptConfig(
    int VocabSize,
    int BlockSize,
    int Layers,
    int Heads,
    int Embd,
    double Dropout = 0.0,
    bool Bias = true,
    bool TieEmbeddings = true,
    PositionEncoding Positions = PositionEncoding.Learned,
    double RotaryBase = 10000)
{
    public void Validate()
    {
        if (VocabSize < 1 || BlockSize < 1 || Layers < 1 || Heads < 1 || Embd < 1)
            throw new ArgumentException($"GPT sizes must be positive: {this}");
        if (Embd % Heads != 0) throw new ArgumentException($"embedding width {Embd} is not divisible by {Heads} heads");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"dropout {Dropout} must be in [0, 1)");
        if (Positions == PositionEncoding.Rotary && Embd / Heads % 2 != 0)
            throw new ArgumentException($"rotary positions need an even head size, got {Embd / Heads}");
    }
}

/// <summary>
/// What one forward call needs besides the embeddings. All null: a causal pass over positions 0..T-1 (training).
/// Decoding passes per-row positions (left-padded prompts), a mask and a cache that the call appends to.
/// </summary>
public sealed class DecoderContext
{
    /// <summary>(B, T) int64 position of each input; null means past..past+T-1 for every row.</summary>
    public Tensor? Positions { get; init; }

    /// <summary>(B, 1, T, past + T) bool, true where a query may attend to a key; null means causal.</summary>
    public Tensor? Mask { get; init; }

    public KvCache? Cache { get; init; }
}

/// <summary>Keys and values (B, H, S, hs) of every layer for the positions seen so far; owned, not scope-bound.</summary>
public sealed class KvCache(int layers) : IDisposable
{
    private readonly Tensor?[] _keys = new Tensor?[layers];
    private readonly Tensor?[] _values = new Tensor?[layers];

    /// <summary>Positions cached so far.</summary>
    public long Length => _keys[0]?.size(2) ?? 0;

    internal (Tensor k, Tensor v) Append(int layer, Tensor k, Tensor v)
    {
        Replace(_keys, layer, _keys[layer] is { } pk ? torch.cat([pk, k], 2) : k.contiguous());
        Replace(_values, layer, _values[layer] is { } pv ? torch.cat([pv, v], 2) : v.contiguous());
        return (_keys[layer]!, _values[layer]!);
    }

    /// <summary>Keeps rows <paramref name="rows"/> (B') of every layer, in that order (beam search reordering).</summary>
    public void Reorder(Tensor rows)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] is { } k) Replace(_keys, i, k.index_select(0, rows));
            if (_values[i] is { } v) Replace(_values, i, v.index_select(0, rows));
        }
    }

    private static void Replace(Tensor?[] slots, int i, Tensor next)
    {
        if (ReferenceEquals(slots[i], next)) return;
        slots[i]?.Dispose();
        slots[i] = next.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var t in _keys.Concat(_values)) t?.Dispose();
        Array.Clear(_keys);
        Array.Clear(_values);
    }
}

/// <summary>The per-call attention inputs a model hands to every block (rotary angles computed once per call).</summary>
internal readonly record struct AttentionInputs(Tensor? Mask, Tensor? Cos, Tensor? Sin, KvCache? Cache);

public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;
    private readonly double _dropout;

    public CausalSelfAttention(GptConfig c) : base(nameof(CausalSelfAttention))
    {
        _heads = c.Heads;
        _dropout = c.Dropout;
        c_attn = this.Register("c_attn", nn.Linear(c.Embd, 3L * c.Embd, hasBias: c.Bias)); // q, k, v for all heads at once
        c_proj = this.Register("c_proj", nn.Linear(c.Embd, c.Embd, hasBias: c.Bias));
        resid_dropout = this.Register("resid_dropout", nn.Dropout(c.Dropout));
    }

    public readonly Linear c_attn;
    public readonly Linear c_proj;
    public readonly Dropout resid_dropout;

    public override Tensor forward(Tensor x) => forward(x, default, 0);

    internal Tensor forward(Tensor x, AttentionInputs a, int layer)
    {
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        var (B, T, C) = (x.size(0), x.size(1), x.size(2));
        var past = a.Cache?.Length ?? 0;
        var qkv = Autocast.linear(x, c_attn.weight, c_attn.bias).split(C, 2); // 3 x (B, T, C)
        var q = qkv[0].view(B, T, _heads, C / _heads).transpose(1, 2); // (B, H, T, hs)
        var k = qkv[1].view(B, T, _heads, C / _heads).transpose(1, 2);
        var v = qkv[2].view(B, T, _heads, C / _heads).transpose(1, 2);
        if (a.Cos is not null)
        {
            q = Rotate(q, a.Cos, a.Sin!);
            k = Rotate(k, a.Cos, a.Sin!);
        }
        if (a.Cache is not null) (k, v) = a.Cache.Append(layer, k, v); // (B, H, past + T, hs)
        if (a.Mask is null && past > 0 && T > 1)
            throw new ArgumentException("a multi-position call on a non-empty cache needs an explicit mask");
        var y = F.scaled_dot_product_attention(q, k, v, attn_mask: a.Mask, p: training ? _dropout : 0,
            is_casual: a.Mask is null && past == 0); // (B, H, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C); // re-assemble heads side by side
        return resid_dropout.forward(Autocast.linear(y, c_proj.weight, c_proj.bias)).MoveToOuterDisposeScope();
    }

    /// <summary>Rotary embedding on (B, H, T, hs): halves (x1, x2) turn by the position's angles (cos, sin) (.., T, hs/2).</summary>
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.size(-1) / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1);
    }
}

public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    public Mlp(GptConfig c) : base(nameof(Mlp))
    {
        c_fc = this.Register("c_fc", nn.Linear(c.Embd, 4L * c.Embd, hasBias: c.Bias));
        c_proj = this.Register("c_proj", nn.Linear(4L * c.Embd, c.Embd, hasBias: c.Bias));
        dropout = this.Register("dropout", nn.Dropout(c.Dropout));
    }

    public readonly Linear c_fc;
    public readonly Linear c_proj;
    public readonly Dropout dropout;

    public override Tensor forward(Tensor x)
    {
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        var h = F.gelu(Autocast.linear(x, c_fc.weight, c_fc.bias)); // (B, T, 4C)
        return dropout.forward(Autocast.linear(h, c_proj.weight, c_proj.bias)).MoveToOuterDisposeScope(); // (B, T, C)
    }
}

public sealed class Block : nn.Module<Tensor, Tensor>
{
    public Block(GptConfig c) : base(nameof(Block))
    {
        ln_1 = this.Register("ln_1", nn.LayerNorm(c.Embd, bias: c.Bias));
        attn = this.Register("attn", new CausalSelfAttention(c));
        ln_2 = this.Register("ln_2", nn.LayerNorm(c.Embd, bias: c.Bias));
        mlp = this.Register("mlp", new Mlp(c));
    }

    public readonly LayerNorm ln_1;
    public readonly CausalSelfAttention attn;
    public readonly LayerNorm ln_2;
    public readonly Mlp mlp;

    public override Tensor forward(Tensor x) => forward(x, default, 0);

    internal Tensor forward(Tensor x, AttentionInputs a, int layer)
    {
        // Each forward frees its temporaries on return, as Python's reference counting does: autograd keeps
        // what backward needs, and what it does not need is not held until the training step's scope closes
        // (which would double the memory that backward has to take fresh from the allocator).
        using var temporaries = torch.NewDisposeScope();
        x = x + attn.forward(ln_1.forward(x), a, layer); // (B, T, C)
        return (x + mlp.forward(ln_2.forward(x))).MoveToOuterDisposeScope();
    }
}

public sealed class Gpt : nn.Module<Tensor, Tensor>
{
    public Gpt(GptConfig config) : base(nameof(Gpt))
    {
        config.Validate();
        Config = config;
        wte = this.Register("wte", nn.Embedding(config.VocabSize, config.Embd));
        if (config.Positions == PositionEncoding.Learned) wpe = this.Register("wpe", nn.Embedding(config.BlockSize, config.Embd));
        drop = this.Register("drop", nn.Dropout(config.Dropout));
        h = this.Register("h", nn.ModuleList<Block>(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray()));
        ln_f = this.Register("ln_f", nn.LayerNorm(config.Embd, bias: config.Bias));
        if (!config.TieEmbeddings) lm_head = this.Register("lm_head", nn.Linear(config.Embd, config.VocabSize, hasBias: false));
        if (config.Positions == PositionEncoding.Rotary)
        {
            var hs = config.Embd / config.Heads;
            using var exponents = torch.arange(0, hs, 2, ScalarType.Float32);
            using var scaled = exponents.div(hs).mul(Math.Log(config.RotaryBase));
            using var powers = scaled.exp();
            this.RegisterBuffer(RotaryBuffer, powers.reciprocal(), persistent: false); // base^(-2i/hs)
        }
        InitWeights();
    }

    private const string RotaryBuffer = "rotary_inv_freq";

    public GptConfig Config { get; }
    public readonly Embedding wte;
    public readonly Embedding? wpe;
    public readonly Dropout drop;
    public readonly ModuleList<Block> h;
    public readonly LayerNorm ln_f;
    public readonly Linear? lm_head;

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

    /// <summary>Hidden states after the final LayerNorm, from input embeddings (B, T, C).</summary>
    public Tensor forward_embeddings(Tensor tokenEmbeddings, DecoderContext? context = null)
    {
        ShapeCheck.Expect(tokenEmbeddings, nameof(Gpt), "input embeddings", "(B, T, C)", null, null, Config.Embd);
        var T = tokenEmbeddings.size(1);
        var past = context?.Cache?.Length ?? 0;
        // With explicit positions (left-padded decoding) the cache also holds padding, so only the default
        // layout is checked here; the decoder keeps every row's positions below the block size.
        if (context?.Positions is null && past + T > Config.BlockSize)
            throw new ArgumentException($"sequence of {past + T} positions exceeds the block size {Config.BlockSize}");
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        var pos = context?.Positions ?? torch.arange(past, past + T, device: tokenEmbeddings.device); // (B, T) or (T)
        var x = wpe is null ? tokenEmbeddings : tokenEmbeddings + wpe.forward(pos); // (B, T, C)
        x = drop.forward(x);
        Tensor? cos = null, sin = null;
        if (Config.Positions == PositionEncoding.Rotary)
        {
            // Looked up, not cached in a field: moving the model to another device replaces the buffer's tensor.
            var angles = pos.to(ScalarType.Float32).unsqueeze(-1) * get_buffer(RotaryBuffer)!; // (B, T, hs/2) or (T, hs/2)
            if (angles.dim() == 3) angles = angles.unsqueeze(1); // (B, 1, T, hs/2), broadcast over heads
            (cos, sin) = (angles.cos(), angles.sin());
        }
        var inputs = new AttentionInputs(context?.Mask, cos, sin, context?.Cache);
        for (var i = 0; i < h.Count; i++) x = h[i].forward(x, inputs, i);
        return ln_f.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>Next-token logits (B, T, V) for token ids (B, T).</summary>
    public override Tensor forward(Tensor idx)
    {
        ShapeCheck.Expect(idx, nameof(Gpt), "token ids", "(B, T)", null, null);
        ShapeCheck.ExpectDtype(idx, nameof(Gpt), "token ids", ScalarType.Int64);
        using var temporaries = torch.NewDisposeScope(); // see Block.forward
        return logits(forward_embeddings(wte.forward(idx))).MoveToOuterDisposeScope();
    }

    /// <summary>The output projection (tied to wte unless configured otherwise).</summary>
    public Tensor logits(Tensor hidden) => Autocast.linear(hidden, lm_head?.weight ?? wte.weight!);

    /// <summary>Mean next-token cross-entropy over positions whose target is not <paramref name="ignoreIndex"/>.</summary>
    public Tensor loss(Tensor logits, Tensor targets, long ignoreIndex = -1) =>
        F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index: ignoreIndex);
}
