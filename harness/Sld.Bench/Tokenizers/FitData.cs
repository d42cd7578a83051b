// Which part of a training split a tokenizer is fitted on, and the lineage recorded for it. Utterances are
// selected by a seeded hash of their id (so the choice does not depend on listing order and a larger fraction
// keeps every utterance of a smaller one); frames for k-means are then reservoir-sampled up to a cap while
// streaming, so a fit never needs the whole split in memory.
using Sld.Bench.Shared.Statistics;
using System.Security.Cryptography;
using System.Text;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

/// <param name="Fraction">Share of the split's utterances to fit on, in (0, 1] (SLD: about 0.1 of LibriSpeech 960 h).</param>
/// <param name="MaxFrames">Cap on the frames held for clustering (reservoir sample); null keeps every selected frame.</param>
/// <param name="Seed">Seeds the utterance selection and the frame sample.</param>
public sealed record FitDataOptions(double Fraction = 1.0, long? MaxFrames = null, ulong Seed = 0)
{
    public void Validate()
    {
        if (!(Fraction > 0 && Fraction <= 1)) throw new ArgumentException($"fit-data fraction must be in (0, 1], got {Fraction}");
        if (MaxFrames is < 1) throw new ArgumentException($"fit-data MaxFrames must be positive, got {MaxFrames}");
    }
}

/// <summary>What a tokenizer was fitted on; the part known before fitting identifies the artifact.</summary>
/// <param name="Source">The feature source's name (corpus and split).</param>
/// <param name="SelectedUtterances">Utterances chosen out of <paramref name="SourceUtterances"/>.</param>
/// <param name="SelectionSha256">SHA-256 of the chosen ids (sorted, newline-separated).</param>
/// <param name="Frames">Frames of the chosen utterances (filled in while fitting).</param>
/// <param name="SampledFrames">Frames the quantiser was fitted on after the MaxFrames cap (filled in while fitting).</param>
public sealed record FitDataLineage(string Source, FitDataOptions Options, int SourceUtterances, int SelectedUtterances,
                                    string SelectionSha256, long Frames = 0, long SampledFrames = 0);

public static class FitDataSelection
{
    /// <summary>The utterances a fit uses, in the source's order, and their lineage.</summary>
    public static (IReadOnlyList<string> ids, FitDataLineage lineage) Select(IFeatureSource source, FitDataOptions options)
    {
        options.Validate();
        var threshold = options.Fraction >= 1 ? ulong.MaxValue : (ulong)(options.Fraction * ulong.MaxValue);
        var ids = source.UtteranceIds.Where(id => options.Fraction >= 1 || HashOf(options.Seed, id) <= threshold).ToList();
        if (ids.Count == 0)
            throw new ArgumentException($"fraction {options.Fraction} of the {source.UtteranceIds.Count} utterances of {source.Name} selects none");
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', ids.Order(StringComparer.Ordinal))));
        return (ids, new FitDataLineage(source.Name, options, source.UtteranceIds.Count, ids.Count, Convert.ToHexStringLower(digest)));
    }

    private static ulong HashOf(ulong seed, string id)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{id}"));
        return BitConverter.ToUInt64(digest, 0);
    }

    /// <summary>
    /// The frames of <paramref name="ids"/> as one (N, D) float32 tensor: all of them, or a uniform sample of
    /// <see cref="FitDataOptions.MaxFrames"/> (reservoir sampling, seeded). Returns the total frame count too.
    /// </summary>
    public static (Tensor frames, long total) SampleFrames(IFeatureSource source, IReadOnlyList<string> ids, FitDataOptions options,
                                                           CancellationToken cancellation = default) =>
        SampleFrames(source, ids, options, new FitContext { Cancellation = cancellation });

    /// <summary>As above, reporting stage "frames" after every utterance (loading is the slow part when an encoder computes the features).</summary>
    internal static (Tensor frames, long total) SampleFrames(IFeatureSource source, IReadOnlyList<string> ids, FitDataOptions options, FitContext context)
    {
        var cancellation = context.Cancellation;
        var loaded = 0;
        var d = source.Features.Dim;
        if (options.MaxFrames is not { } cap)
        {
            using var scope = torch.NewDisposeScope();
            var all = new List<Tensor>(ids.Count);
            foreach (var id in ids)
            {
                cancellation.ThrowIfCancellationRequested();
                all.Add(Checked(source, id));
                context.Report("frames", ++loaded, ids.Count);
            }
            var cat = torch.cat(all, 0);
            return (cat.MoveToOuterDisposeScope(), cat.size(0));
        }
        var rng = new DeterministicRandom(DeterministicRandom.Derive(options.Seed, "frame-sample"));
        var reservoir = torch.empty([cap, d]);
        long seen = 0;
        foreach (var id in ids)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var utterance = Checked(source, id);
            context.Report("frames", ++loaded, ids.Count);
            var rows = new List<long>();
            var slots = new List<long>();
            for (long r = 0; r < utterance.size(0); r++, seen++)
            {
                // Algorithm R: frame number `seen` replaces a random slot with probability cap / (seen + 1).
                var slot = seen < cap ? seen : rng.NextLong(seen + 1);
                if (slot >= cap) continue;
                rows.Add(r);
                slots.Add(slot);
            }
            if (rows.Count == 0) continue;
            // A later frame of the same utterance may take a slot an earlier one took: keep the last writer.
            var last = new Dictionary<long, long>();
            for (var i = 0; i < rows.Count; i++) last[slots[i]] = rows[i];
            reservoir.index_put_(utterance.index_select(0, torch.tensor(last.Values.ToArray())), [torch.tensor(last.Keys.ToArray())]);
        }
        if (seen < cap)
        {
            using var full = reservoir;
            return (reservoir.narrow(0, 0, seen).clone(), seen);
        }
        return (reservoir, seen);
    }

    /// <summary>Loads one utterance and checks it against the source's declared shape.</summary>
    public static Tensor Checked(IFeatureSource source, string id)
    {
        var t = source.Load(id);
        if (t.dim() != 2 || t.size(1) != source.Features.Dim || t.dtype != ScalarType.Float32)
        {
            var shape = string.Join(", ", t.shape);
            t.Dispose();
            throw new InvalidDataException($"{source.Name}/{id}: features [{shape}] are not (T, {source.Features.Dim}) float32");
        }
        return t;
    }
}
