// Post-processing of one stream of raw units, as separate settings: deduplicate consecutive repeats, then
// segment the unit string into BPE or unigram pieces. Every output token keeps the span of token-grid frames it
// covers, so soft distributions and alignments stay traceable to time. Unit models are stored as units.json.
using System.Text.Json;

namespace Sld.Bench.Tokenizers;

/// <summary>A segmentation of unit strings into pieces; piece ids below the unit count are the raw units themselves.</summary>
public interface IUnitModel
{
    UnitModelKind Kind { get; }

    /// <summary>Raw units the model was trained over (K).</summary>
    int Units { get; }

    /// <summary>Pieces, raw units included.</summary>
    int VocabularySize { get; }

    /// <summary>The raw units piece <paramref name="piece"/> stands for.</summary>
    ReadOnlySpan<int> PieceUnits(int piece);

    /// <summary>The pieces of one unit string (their units concatenate back to <paramref name="units"/>).</summary>
    int[] Encode(ReadOnlySpan<int> units);
}

public static class Dedup
{
    /// <summary>Collapses runs of equal units: the run values, each run's first index and its length.</summary>
    public static (long[] units, int[] starts, int[] lengths) Collapse(ReadOnlySpan<long> ids)
    {
        var units = new List<long>();
        var starts = new List<int>();
        var lengths = new List<int>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (i > 0 && ids[i] == ids[i - 1])
            {
                lengths[^1]++;
                continue;
            }
            units.Add(ids[i]);
            starts.Add(i);
            lengths.Add(1);
        }
        return ([.. units], [.. starts], [.. lengths]);
    }
}

public sealed class UnitPostProcessor
{
    public const string FileName = "units.json";

    public UnitPostProcessor(PostProcessingOptions options, int units, IUnitModel? model)
    {
        if ((options.Units is null) != (model is null)) throw new ArgumentException("a unit model is given exactly when the options ask for one");
        Options = options;
        Units = units;
        Model = model;
    }

    public PostProcessingOptions Options { get; }
    public int Units { get; }
    public IUnitModel? Model { get; }
    public int VocabularySize => Model?.VocabularySize ?? Units;

    /// <summary>The unit strings a unit model is trained on: raw units, deduplicated when that is on.</summary>
    public static int[] UnitString(ReadOnlySpan<long> raw, bool dedup)
    {
        var units = dedup ? Dedup.Collapse(raw).units : raw.ToArray();
        return units.Select(u => checked((int)u)).ToArray();
    }

    /// <summary>Trains the unit model (if any) on the raw unit strings of the fit utterances.</summary>
    public static UnitPostProcessor Fit(PostProcessingOptions options, int units, IReadOnlyList<long[]> rawStrings, FitContext context)
    {
        if (options.Units is not { } u) return new UnitPostProcessor(options, units, null);
        var strings = rawStrings.Select(s => UnitString(s, options.Dedup)).ToList();
        IUnitModel model = u.Model switch
        {
            UnitModelKind.Bpe => BpeModel.Train(strings, units, u.VocabularySize, u.MaxPieceLength, context),
            UnitModelKind.Unigram => UnigramModel.Train(strings, units, u.VocabularySize, u.MaxPieceLength, context),
            _ => throw new ArgumentOutOfRangeException(nameof(options), u.Model, "unknown unit model"),
        };
        return new UnitPostProcessor(options, units, model);
    }

    /// <summary>The tokens of one raw unit stream (one unit per token-grid frame).</summary>
    public TokenSequence Apply(long[] raw, double frameRate)
    {
        if (Options.IsIdentity) return TokenSequence.PerFrame(raw, frameRate);
        var (units, starts, lengths) = Options.Dedup
            ? Dedup.Collapse(raw)
            : (raw, Enumerable.Range(0, raw.Length).ToArray(), Enumerable.Repeat(1, raw.Length).ToArray());
        if (Model is null) return new TokenSequence([units], starts, lengths, raw.Length, frameRate);
        var pieces = Model.Encode(units.Select(x => checked((int)x)).ToArray());
        var ids = new long[pieces.Length];
        var pieceStarts = new int[pieces.Length];
        var pieceLengths = new int[pieces.Length];
        var unit = 0;
        for (var i = 0; i < pieces.Length; i++)
        {
            var n = Model.PieceUnits(pieces[i]).Length;
            ids[i] = pieces[i];
            pieceStarts[i] = starts[unit];
            pieceLengths[i] = starts[unit + n - 1] + lengths[unit + n - 1] - starts[unit];
            unit += n;
        }
        return new TokenSequence([ids], pieceStarts, pieceLengths, raw.Length, frameRate);
    }

    // ---- persistence ----

    /// <param name="Merges">BPE: the merged piece pairs in rank order (merge r creates piece Units + r).</param>
    /// <param name="Scores">Unigram: the log-probability of every piece.</param>
    private sealed record Stored(UnitModelKind Model, int Units, int[][] Pieces, int[][]? Merges, double[]? Scores);

    /// <summary>Writes units.json when there is a unit model; returns the file names written.</summary>
    public IReadOnlyList<string> Save(string directory)
    {
        if (Model is null) return [];
        var pieces = Enumerable.Range(0, Model.VocabularySize).Select(p => Model.PieceUnits(p).ToArray()).ToArray();
        var stored = new Stored(Model.Kind, Model.Units, pieces, (Model as BpeModel)?.Merges.Select(m => new[] { m.left, m.right }).ToArray(),
            (Model as UnigramModel)?.Scores.ToArray());
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(stored, ManifestJson.Options));
        return [FileName];
    }

    public static UnitPostProcessor Load(PostProcessingOptions options, int units, string directory)
    {
        if (options.Units is null) return new UnitPostProcessor(options, units, null);
        var path = Path.Combine(directory, FileName);
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), ManifestJson.Options)
                     ?? throw new InvalidDataException($"{path}: empty unit model");
        if (stored.Units != units || stored.Model != options.Units.Model)
            throw new InvalidDataException($"{path}: a {stored.Model} model over {stored.Units} units, expected {options.Units.Model} over {units}");
        IUnitModel model = stored.Model == UnitModelKind.Bpe
            ? new BpeModel(units, (stored.Merges ?? throw new InvalidDataException($"{path}: BPE model without merges")).Select(m => (m[0], m[1])).ToArray())
            : new UnigramModel(units, stored.Pieces, stored.Scores ?? throw new InvalidDataException($"{path}: unigram model without scores"));
        return new UnitPostProcessor(options, units, model);
    }
}
