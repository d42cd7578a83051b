// The artifact store: one directory per fitted tokenizer, named by its key, holding manifest.json and the
// weight files. A fit holds an exclusive lock on its key, checkpoints under .work/<key>, writes the finished
// artifact into .staging and renames it into place, so readers only ever see complete artifacts: an
// interrupted fit leaves at most a checkpoint (resumed by the next GetOrFit) and stale staging files (removed).
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sld.Bench.Tokenizers.Codec;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

/// <param name="CheckpointInterval">Least time between periodic checkpoints of a long fit.</param>
public sealed record FitOptions(IProgress<FitProgress>? Progress = null, CancellationToken Cancellation = default, TimeSpan? CheckpointInterval = null);

public sealed partial class TokenizerStore
{
    private const string WorkDirectory = ".work";
    private const string StagingDirectory = ".staging";
    private const string LockFile = "fit.lock";

    public TokenizerStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    [GeneratedRegex("^[a-z][a-z0-9_]*-[0-9a-f]{16}$")]
    private static partial Regex KeyPattern();

    public string PathOf(string key) => KeyPattern().IsMatch(key)
        ? Path.Combine(Root, key)
        : throw new ArgumentException($"'{key}' is not a tokenizer key (<kind>-<16 hex digits>)", nameof(key));

    public bool Contains(string key) => File.Exists(Path.Combine(PathOf(key), TokenizerManifest.FileName));

    /// <summary>The key an artifact for this config fitted on this source has (whether or not it exists yet).</summary>
    public static string KeyFor(TokenizerConfig config, IFeatureSource source)
    {
        config.Validate();
        var (_, lineage) = FitDataSelection.Select(source, config.FitData);
        return TokenizerManifest.KeyFor(config, source.Features, lineage);
    }

    /// <summary>Manifests of every complete artifact in the store.</summary>
    public IReadOnlyList<TokenizerManifest> List() =>
        Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Where(name => name is not null && KeyPattern().IsMatch(name) && Contains(name))
            .Order(StringComparer.Ordinal)
            .Select(name => ReadManifest(Path.Combine(Root, name!)))
            .ToList();

    /// <summary>Loads an artifact by key after checking every file against the manifest's hashes.</summary>
    public ISpeechTokenizer Load(string key)
    {
        var directory = PathOf(key);
        if (!Contains(key)) throw new FileNotFoundException($"no tokenizer '{key}' in {Root}");
        var manifest = ReadManifest(directory);
        if (manifest.Key != key) throw new InvalidDataException($"{directory}: manifest names key '{manifest.Key}'");
        var actual = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, expected) in manifest.Files)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path)) throw new InvalidDataException($"{directory}: file '{file}' named in the manifest is missing");
            actual[file] = Sha256Of(path);
            if (actual[file] != expected) throw new InvalidDataException($"{directory}: '{file}' does not match its SHA-256 in the manifest (damaged artifact)");
        }
        if (TokenizerManifest.ContentHash(actual) != manifest.ContentSha256)
            throw new InvalidDataException($"{directory}: content hash does not match the manifest");
        return TokenizerKinds.Load(manifest, directory);
    }

    /// <summary>
    /// The artifact for <paramref name="config"/> fitted on <paramref name="source"/>: loaded when the store has it,
    /// otherwise fitted (resuming a checkpoint an interrupted fit left) and stored atomically.
    /// </summary>
    public ISpeechTokenizer GetOrFit(TokenizerConfig config, IFeatureSource source, FitOptions? options = null)
    {
        options ??= new FitOptions();
        config.Validate();
        var (ids, lineage) = FitDataSelection.Select(source, config.FitData);
        var key = TokenizerManifest.KeyFor(config, source.Features, lineage);
        var work = Path.Combine(Root, WorkDirectory, key);
        if (Contains(key))
        {
            RemoveLeftoverWork(work); // a fit that died between publishing and cleaning up
            return Load(key);
        }

        Directory.CreateDirectory(work);
        using var fitLock = AcquireLock(Path.Combine(work, LockFile), key);
        if (Contains(key)) return Load(key); // another process finished it while we waited for the lock
        RemoveStaleStaging(key);

        var context = new FitContext
        {
            Progress = options.Progress,
            Cancellation = options.Cancellation,
            CheckpointDirectory = work,
            CheckpointInterval = options.CheckpointInterval ?? TimeSpan.FromSeconds(60),
        };
        var tokenizer = TokenizerKinds.Fit(config, source, ids, lineage, key, context);
        try
        {
            Publish(tokenizer, key);
        }
        catch
        {
            tokenizer.Dispose();
            throw;
        }
        fitLock.Dispose();
        Directory.Delete(work, recursive: true);
        return tokenizer;
    }

    private void Publish(IArtifactTokenizer tokenizer, string key)
    {
        var staging = Path.Combine(Root, StagingDirectory, $"{key}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in tokenizer.WriteFiles(staging)) files[file] = Sha256Of(Path.Combine(staging, file));
            tokenizer.Manifest = tokenizer.Manifest with
            {
                Files = files,
                ContentSha256 = TokenizerManifest.ContentHash(files),
                CreatedUtc = DateTimeOffset.UtcNow,
            };
            using (var stream = new FileStream(Path.Combine(staging, TokenizerManifest.FileName), FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(tokenizer.Manifest.ToJson()));
                stream.Flush(flushToDisk: true);
            }
            var final = PathOf(key);
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // an incomplete leftover: no manifest
            Directory.Move(staging, final);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static FileStream AcquireLock(string path, string key)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"tokenizer '{key}' is being fitted by another process (lock {path} is held)", e);
        }
    }

    private static void RemoveLeftoverWork(string work)
    {
        if (!Directory.Exists(work)) return;
        try
        {
            using (new FileStream(Path.Combine(work, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
            }
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // Held by another process that found the artifact missing a moment ago; it cleans up after itself.
        }
    }

    /// <summary>Staging directories of this key left by a fit that died while publishing (we hold the key's lock).</summary>
    private void RemoveStaleStaging(string key)
    {
        var staging = Path.Combine(Root, StagingDirectory);
        if (!Directory.Exists(staging)) return;
        foreach (var dir in Directory.EnumerateDirectories(staging, $"{key}.*")) Directory.Delete(dir, recursive: true);
    }

    private static TokenizerManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, TokenizerManifest.FileName);
        return TokenizerManifest.FromJson(File.ReadAllText(path), path);
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

/// <summary>What the store needs of a fitted tokenizer besides the public contract.</summary>
internal interface IArtifactTokenizer : ISpeechTokenizer
{
    new TokenizerManifest Manifest { get; set; }

    /// <summary>Writes the artifact's files (not the manifest) into <paramref name="directory"/>; returns their names.</summary>
    IReadOnlyList<string> WriteFiles(string directory);
}

/// <summary>Fitting and loading dispatched on the config's kind.</summary>
internal static class TokenizerKinds
{
    public static IArtifactTokenizer Fit(TokenizerConfig config, IFeatureSource source, IReadOnlyList<string> ids, FitDataLineage lineage,
                                         string key, FitContext context)
    {
        using var scope = torch.NewDisposeScope();
        var manifest = new TokenizerManifest { Key = key, Kind = config.Kind, Config = config, Features = source.Features, FitData = lineage };
        return config switch
        {
            KMeansTokenizerConfig c => KMeansTokenizer.Fit(c, source, ids, manifest, context),
            CodecTokenizerConfig c => CodecTokenizer.Fit(c, source, ids, manifest, context),
            DMelTokenizerConfig c => DMelTokenizer.Fit(c, source, ids, manifest, context),
            _ => throw new NotSupportedException($"no fitter for tokenizer kind '{config.Kind}'"),
        };
    }

    public static IArtifactTokenizer Load(TokenizerManifest manifest, string directory) => manifest.Config switch
    {
        KMeansTokenizerConfig => KMeansTokenizer.Load(manifest, directory),
        CodecTokenizerConfig => CodecTokenizer.Load(manifest, directory),
        DMelTokenizerConfig => DMelTokenizer.Load(manifest, directory),
        _ => throw new InvalidDataException($"{directory}: unknown tokenizer kind '{manifest.Kind}'"),
    };
}
