// The on-disk feature cache: one folder per feature config (named by its hash), holding shards of float16
// frames written back to back (shard-NNNNN.f16), each with a JSON index of the utterances in it and a done
// marker written last. Only shards with a marker exist as far as readers are concerned, so a killed writer
// leaves nothing half-visible; shards are memory-mapped for reading. Keys are AudioHashes.KeyOf(utterance).
using System.IO.MemoryMappedFiles;
using System.Text.Json;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public sealed class FeatureCache : IDisposable
{
    public const string ConfigFile = "config.txt";

    /// <summary>Where one utterance's frames live: a shard, the first frame's index in it, and the frame count.</summary>
    public sealed record Entry(int Shard, long Offset, int Frames);

    /// <summary>An utterance that could not be used, remembered so a resumed run does not retry unchanged audio.</summary>
    public sealed record Failure(string Key, string Id, string Path, string Reason);

    /// <summary>The index of one shard as stored in shard-NNNNN.json.</summary>
    public sealed record ShardIndex(int Dim, IReadOnlyList<ShardItem> Items, IReadOnlyList<Failure> Failures);

    public sealed record ShardItem(string Key, string Id, int Frames);

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Failure> _failures = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (MemoryMappedFile file, MemoryMappedViewAccessor view)> _maps = [];
    private readonly Lock _gate = new();

    private FeatureCache(string directory, FeatureConfig config)
    {
        Directory = directory;
        Config = config;
        Hashes = new AudioHashes(System.IO.Path.Combine(directory, "audio-hashes.tsv"));
    }

    /// <summary>The cache folder of this config: ROOT/&lt;config hash&gt;.</summary>
    public string Directory { get; }

    public FeatureConfig Config { get; }

    public AudioHashes Hashes { get; }

    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    public static string ShardStem(int shard) => $"shard-{shard:D5}";

    /// <summary>
    /// Opens (creating if needed) the cache of <paramref name="config"/> under <paramref name="root"/>. Leftovers of
    /// a writer that was killed (temporary files, shards without a done marker) are deleted here.
    /// </summary>
    public static FeatureCache Open(string root, FeatureConfig config)
    {
        var directory = System.IO.Path.Combine(root, config.Hash());
        System.IO.Directory.CreateDirectory(directory);
        var described = System.IO.Path.Combine(directory, ConfigFile);
        if (File.Exists(described) && File.ReadAllText(described).Trim() != config.Describe())
            throw new InvalidDataException($"{directory} was written for another feature config:\n  {File.ReadAllText(described).Trim()}\nnot\n  {config.Describe()}");
        if (!File.Exists(described)) AtomicWrite(described, config.Describe() + "\n");
        var cache = new FeatureCache(directory, config);
        cache.RemoveIncompleteShards();
        foreach (var done in System.IO.Directory.EnumerateFiles(directory, "shard-*.done").Order(StringComparer.Ordinal))
            cache.Register(ShardNumber(done));
        return cache;
    }

    public bool Contains(string key)
    {
        lock (_gate) return _entries.ContainsKey(key);
    }

    public bool TryGetFailure(string key, out Failure failure)
    {
        lock (_gate) return _failures.TryGetValue(key, out failure!);
    }

    public Entry this[string key]
    {
        get
        {
            lock (_gate) return _entries.TryGetValue(key, out var e) ? e : throw new KeyNotFoundException($"no cached features for key {key}");
        }
    }

    /// <summary>The frames of <paramref name="key"/> as float32 (frames x Dim), read from the memory-mapped shard.</summary>
    public unsafe float[] Read(string key)
    {
        var entry = this[key];
        var dim = Config.Dim;
        var result = new float[entry.Frames * dim];
        var view = Map(entry.Shard);
        byte* basePtr = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePtr);
        try
        {
            var source = new ReadOnlySpan<Half>(basePtr + view.PointerOffset + entry.Offset * dim * sizeof(Half), result.Length);
            for (var i = 0; i < result.Length; i++) result[i] = (float)source[i];
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
        return result;
    }

    /// <summary>The frames of <paramref name="key"/> as a CPU float32 tensor (frames, Dim).</summary>
    public Tensor ReadTensor(string key)
    {
        var data = Read(key);
        return torch.tensor(data, data.Length / Config.Dim, Config.Dim);
    }

    /// <summary>
    /// Writes one shard: features (float16 on disk) and its index go to temporary names, are renamed into
    /// place, and only then does the done marker appear. Returns the shard's number.
    /// </summary>
    internal int WriteShard(IReadOnlyList<(string key, string id, float[] frames)> items, IReadOnlyList<Failure> failures)
    {
        int shard;
        lock (_gate) shard = NextShardNumber();
        var stem = System.IO.Path.Combine(Directory, ShardStem(shard));
        var dim = Config.Dim;
        using (var stream = new FileStream(stem + ".f16.tmp", FileMode.Create, FileAccess.Write))
        {
            var buffer = new byte[64 * 1024];
            foreach (var (_, _, frames) in items)
            {
                if (frames.Length % dim != 0) throw new ArgumentException($"features of {frames.Length} values do not divide into rows of {dim}");
                for (var start = 0; start < frames.Length; start += buffer.Length / 2)
                {
                    var count = Math.Min(buffer.Length / 2, frames.Length - start);
                    var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(buffer.AsSpan(0, count * 2));
                    for (var i = 0; i < count; i++) halves[i] = (Half)frames[start + i];
                    stream.Write(buffer, 0, count * 2);
                }
            }
            stream.Flush(flushToDisk: true);
        }
        var index = new ShardIndex(dim, items.Select(i => new ShardItem(i.key, i.id, i.frames.Length / dim)).ToList(), failures);
        AtomicWrite(stem + ".json", JsonSerializer.Serialize(index));
        File.Move(stem + ".f16.tmp", stem + ".f16", overwrite: true);
        AtomicWrite(stem + ".done", "");
        lock (_gate) Register(shard);
        return shard;
    }

    private int NextShardNumber()
    {
        var used = System.IO.Directory.EnumerateFiles(Directory, "shard-*.*").Select(ShardNumber).DefaultIfEmpty(-1).Max();
        return used + 1;
    }

    private void Register(int shard)
    {
        var stem = System.IO.Path.Combine(Directory, ShardStem(shard));
        var index = JsonSerializer.Deserialize<ShardIndex>(File.ReadAllText(stem + ".json"))
                    ?? throw new InvalidDataException($"{stem}.json is empty");
        if (index.Dim != Config.Dim) throw new InvalidDataException($"{stem}.json has dim {index.Dim}, the config {Config.Dim}");
        long offset = 0;
        foreach (var item in index.Items)
        {
            _entries.TryAdd(item.Key, new Entry(shard, offset, item.Frames));
            offset += item.Frames;
        }
        var expected = offset * Config.Dim * 2;
        var actual = new FileInfo(stem + ".f16").Length;
        if (actual != expected) throw new InvalidDataException($"{stem}.f16 holds {actual} bytes, its index describes {expected}");
        foreach (var failure in index.Failures) _failures.TryAdd(failure.Key, failure);
    }

    private void RemoveIncompleteShards()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "shard-*").ToList())
        {
            var done = System.IO.Path.Combine(Directory, ShardStem(ShardNumber(file)) + ".done");
            if (file.EndsWith(".tmp", StringComparison.Ordinal) || !File.Exists(done)) File.Delete(file);
        }
    }

    private static int ShardNumber(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        return int.Parse(name.AsSpan(6, 5), System.Globalization.CultureInfo.InvariantCulture);
    }

    private MemoryMappedViewAccessor Map(int shard)
    {
        lock (_gate)
        {
            if (_maps.TryGetValue(shard, out var m)) return m.view;
            var path = System.IO.Path.Combine(Directory, ShardStem(shard) + ".f16");
            var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            _maps[shard] = (file, view);
            return view;
        }
    }

    internal static void AtomicWrite(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var (file, view) in _maps.Values)
            {
                view.Dispose();
                file.Dispose();
            }
            _maps.Clear();
        }
    }
}
