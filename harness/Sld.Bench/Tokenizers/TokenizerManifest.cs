// manifest.json of a tokenizer artifact: kind, full config, the features and fit data it came from, its stats,
// and the SHA-256 of every file beside it. The key (the artifact's directory name) hashes what identifies the
// fit (config, features, source, selected utterances), so it is known before fitting; the content hash over
// the files is verified on every load, so a damaged artifact is refused instead of silently used.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sld.Bench.Encoders;

namespace Sld.Bench.Tokenizers;

public sealed record TokenizerManifest
{
    public const string CurrentFormat = "sld-bench-tokenizer/1";
    public const string FileName = "manifest.json";

    public string Format { get; init; } = CurrentFormat;

    /// <summary>"&lt;kind&gt;-&lt;16 hex digits&gt;": the store directory name and the id runs refer to the artifact by.</summary>
    public required string Key { get; init; }

    public required string Kind { get; init; }
    public required TokenizerConfig Config { get; init; }
    public required FrameFeatureSpec Features { get; init; }
    public required FitDataLineage FitData { get; init; }
    public TokenizerStats? Stats { get; init; }

    /// <summary>SHA-256 of each artifact file (manifest.json excluded), by file name.</summary>
    public SortedDictionary<string, string> Files { get; init; } = new(StringComparer.Ordinal);

    /// <summary>SHA-256 over the sorted "name sha256" lines of <see cref="Files"/>.</summary>
    public string? ContentSha256 { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>The artifact key of a fit, computable before it runs.</summary>
    public static string KeyFor(TokenizerConfig config, FrameFeatureSpec features, FitDataLineage selection)
    {
        var identity = new { config, features, source = selection.Source, selection.SourceUtterances, selection.SelectionSha256 };
        var json = JsonSerializer.Serialize(identity, ManifestJson.Options);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(json));
        return $"{config.Kind}-{Convert.ToHexStringLower(digest)[..16]}";
    }

    public static string ContentHash(IReadOnlyDictionary<string, string> files)
    {
        var lines = string.Join('\n', files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(lines)));
    }

    public string ToJson() => JsonSerializer.Serialize(this, ManifestJson.Indented);

    public static TokenizerManifest FromJson(string json, string origin)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<TokenizerManifest>(json, ManifestJson.Options)
                           ?? throw new InvalidDataException($"{origin}: empty manifest");
            if (manifest.Format != CurrentFormat)
                throw new InvalidDataException($"{origin}: manifest format '{manifest.Format}' is not '{CurrentFormat}'");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: invalid tokenizer manifest ({e.Message})", e);
        }
    }
}

/// <summary>Stats recorded for every fitted tokenizer, measured on its fit utterances.</summary>
/// <param name="BitrateKbps">FrameRate x Codebooks x log2(CodebookSize) / 1000, before dedup/BPE (DASB's definition).</param>
/// <param name="TokensPerSecond">Tokens per second after post-processing.</param>
/// <param name="PostProcessedBitrateKbps">TokensPerSecond x Codebooks x log2(VocabularySize) / 1000.</param>
/// <param name="CodebookUsage">Per codebook: share of its codes that occur at least once.</param>
/// <param name="CodebookPerplexity">Per codebook: exp of the entropy of its code frequencies (K at most).</param>
/// <param name="DedupRatio">Tokens after dedup / frames (null without dedup).</param>
/// <param name="UnitRatio">Tokens after the unit model / tokens before it (null without one).</param>
/// <param name="QuantizationError">Mean squared error per frame and dimension between the features and their quantised value.</param>
public sealed record TokenizerStats(
    double FrameRate,
    int Codebooks,
    int CodebookSize,
    int VocabularySize,
    double BitrateKbps,
    double TokensPerSecond,
    double PostProcessedBitrateKbps,
    double[] CodebookUsage,
    double[] CodebookPerplexity,
    double? DedupRatio,
    double? UnitRatio,
    double QuantizationError,
    double FitSeconds,
    int EvaluatedUtterances,
    long EvaluatedFrames);

/// <summary>The JSON conventions of manifests and config hashing: snake_case names, enums as snake_case strings.</summary>
public static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = Create(false);
    public static readonly JsonSerializerOptions Indented = Create(true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        WriteIndented = indented,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}
