// Residual vector quantisation (SoundStream, EnCodec): codebook i quantises what codebooks 0..i-1 left of a
// latent, and the quantised latent is the sum of the chosen codes. Codebooks start from latents of the first
// batch, learn by EMA of their assigned residuals (or by the codebook loss), and a code whose usage EMA falls
// below a threshold is restarted on a random residual of the batch, so no code stays dead.
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Tokenizers.Codec;

public sealed class VectorQuantizer : nn.Module
{
    private readonly bool _emaUpdate;

    public VectorQuantizer(int codes, int dim, bool emaUpdate) : base(nameof(VectorQuantizer))
    {
        _emaUpdate = emaUpdate;
        var init = torch.randn([codes, dim]);
        var sum = init.clone();
        embed = emaUpdate ? this.RegisterBuffer("embed", init) : this.RegisterParameter("embed", init);
        usage = this.RegisterBuffer("usage", torch.zeros([codes])); // EMA of assignments per step
        embed_sum = this.RegisterBuffer("embed_sum", sum);
        initialized = this.RegisterBuffer("initialized", torch.zeros([1]));
    }

    public readonly Tensor embed;
    public readonly Tensor usage;
    public readonly Tensor embed_sum;
    public readonly Tensor initialized;

    public long Codes => embed.size(0);

    /// <summary>Nearest code of each residual (N, C) -> (N) int64.</summary>
    public Tensor Assign(Tensor residual)
    {
        using var _ = torch.no_grad();
        var (labels, distances) = CentroidDistances.Nearest(residual, embed);
        distances.Dispose();
        return labels;
    }

    /// <summary>Training-time bookkeeping after assignment: data-dependent init, EMA of codes, usage counts, dead-code restarts.</summary>
    public void Update(Tensor residual, Tensor codes, double decay, double deadThreshold, DeterministicRandom rng)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var r = residual.detach();
        var counts = codes.bincount(null, minlength: Codes).to(ScalarType.Float32); // (K)
        usage.mul_(decay).add_(counts, 1 - decay);
        if (_emaUpdate)
        {
            var sums = torch.zeros_like(embed);
            sums.index_put_(r, [codes], accumulate: true);
            embed_sum.mul_(decay).add_(sums, 1 - decay);
            // Laplace-smoothed cluster sizes keep rarely used codes from dividing by zero.
            var n = usage.sum();
            var smoothed = usage.add(1e-5).div(n.add(Codes * 1e-5)).mul(n);
            embed.copy_(embed_sum.div(smoothed.unsqueeze(1)));
        }
        // Dead: used less than the threshold times an average code. A restarted code sits on a distinct random residual of
        // the batch and is credited an average usage, so it has time to attract latents before it is judged again.
        var mean = usage.mean();
        var dead = usage.lt(mean.mul(deadThreshold)).nonzero().squeeze(1).ToArray<long>();
        if (dead.Length == 0) return;
        var picks = dead.Length <= r.size(0)
            ? rng.SampleWithoutReplacement(r.size(0), dead.Length)
            : Enumerable.Range(0, dead.Length).Select(_ => rng.NextLong(r.size(0))).ToArray();
        var fresh = r.index_select(0, torch.tensor(picks));
        var index = torch.tensor(dead);
        embed.index_put_(fresh, [index]);
        embed_sum.index_put_(fresh.mul(mean), [index]);
        usage.index_put_(mean.expand(dead.Length), [index]);
    }

    /// <summary>Before the first step, codes start as random residuals of the first batch (the scale of a random init is arbitrary).</summary>
    public void InitialiseFrom(Tensor residual, DeterministicRandom rng)
    {
        if (initialized.ToSingle() != 0) return;
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var picks = new long[Codes];
        for (var i = 0; i < picks.Length; i++) picks[i] = rng.NextLong(residual.size(0));
        var fresh = residual.detach().index_select(0, torch.tensor(picks));
        var share = (double)residual.size(0) / Codes; // every code starts as if it had an average share of the batch
        embed.copy_(fresh);
        embed_sum.copy_(fresh.mul(share));
        usage.fill_(share);
        initialized.fill_(1);
    }
}

/// <param name="Quantized">Sum of the chosen codes with the straight-through gradient to the latent (N, C).</param>
/// <param name="Codes">Chosen code per latent, per codebook: n x (N) int64.</param>
/// <param name="CommitmentLoss">Mean |z - sg(q)|^2 over codebooks.</param>
/// <param name="CodebookLoss">Mean |sg(z) - q|^2 over codebooks (zero under EMA updates).</param>
public sealed record QuantizerOutput(Tensor Quantized, Tensor[] Codes, Tensor CommitmentLoss, Tensor CodebookLoss);

public sealed class ResidualVectorQuantizer : nn.Module
{
    private readonly bool _emaUpdate;

    public ResidualVectorQuantizer(int codebooks, int codes, int dim, bool emaUpdate) : base(nameof(ResidualVectorQuantizer))
    {
        _emaUpdate = emaUpdate;
        layers = this.Register("layers", nn.ModuleList<VectorQuantizer>(Enumerable.Range(0, codebooks).Select(_ => new VectorQuantizer(codes, dim, emaUpdate)).ToArray()));
    }

    public readonly ModuleList<VectorQuantizer> layers;

    /// <summary>Quantises latents (N, C); when <paramref name="learn"/> is set the codebooks are updated from this batch.</summary>
    public QuantizerOutput Forward(Tensor z, bool learn, double decay, double deadThreshold, DeterministicRandom rng)
    {
        var residual = z;
        var quantized = torch.zeros_like(z);
        var codes = new Tensor[layers.Count];
        var commitment = torch.zeros([]);
        var codebook = torch.zeros([]);
        for (var i = 0; i < layers.Count; i++)
        {
            var vq = layers[i];
            if (learn) vq.InitialiseFrom(residual, rng);
            codes[i] = vq.Assign(residual.detach());
            var q = vq.embed.index_select(0, codes[i]); // (N, C); carries the codebook gradient in Loss mode
            commitment = commitment + F.mse_loss(residual, q.detach());
            if (!_emaUpdate) codebook = codebook + F.mse_loss(q, residual.detach());
            if (learn) vq.Update(residual, codes[i], decay, deadThreshold, rng);
            quantized = quantized + q;
            residual = residual - q.detach();
        }
        // Straight-through: the forward value is the quantised latent, the gradient flows to z unchanged.
        var straightThrough = z + (quantized - z).detach();
        return new QuantizerOutput(straightThrough, codes, commitment / layers.Count, codebook / layers.Count);
    }

    /// <summary>Codes (n x (N)) of latents (N, C), without learning.</summary>
    public long[][] Encode(Tensor z)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var residual = z;
        var result = new long[layers.Count][];
        for (var i = 0; i < layers.Count; i++)
        {
            var codes = layers[i].Assign(residual);
            result[i] = codes.ToArray<long>();
            residual = residual - layers[i].embed.index_select(0, codes);
        }
        return result;
    }

    /// <summary>The quantised latents (N, C) of codes, summed over codebooks.</summary>
    public Tensor Decode(IReadOnlyList<long[]> codes)
    {
        using var scope = torch.NewDisposeScope();
        var sum = layers[0].embed.index_select(0, torch.tensor(codes[0]));
        for (var i = 1; i < codes.Count; i++) sum = sum + layers[i].embed.index_select(0, torch.tensor(codes[i]));
        return sum.detach().MoveToOuterDisposeScope();
    }
}
