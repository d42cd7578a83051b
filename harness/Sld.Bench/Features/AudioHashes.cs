// Content hashes of audio files, the first half of a feature-cache key. Hashing a large corpus takes a while,
// so hashes are remembered in a TSV next to the cache (path, size, modification time, hash) and reused while
// the file's size and time are unchanged; each line is appended whole, so a killed run loses at most one.
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sld.Bench.Data;

namespace Sld.Bench.Features;

public sealed class AudioHashes
{
    private readonly string _memoPath;
    private readonly ConcurrentDictionary<string, (long size, long ticks, string hash)> _known = new(StringComparer.Ordinal);
    private readonly Lock _append = new();

    public AudioHashes(string memoPath)
    {
        _memoPath = memoPath;
        if (!File.Exists(memoPath)) return;
        foreach (var line in File.ReadLines(memoPath))
        {
            var f = line.Split('\t');
            if (f.Length == 4 && long.TryParse(f[1], out var size) && long.TryParse(f[2], out var ticks) && f[3].Length == 64)
                _known[f[0]] = (size, ticks, f[3]);
        }
    }

    /// <summary>SHA-256 of the file's bytes (hex), from the memo when the file is unchanged.</summary>
    public string FileHash(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: the file does not exist", path);
        var (size, ticks) = (info.Length, info.LastWriteTimeUtc.Ticks);
        if (_known.TryGetValue(path, out var k) && k.size == size && k.ticks == ticks) return k.hash;
        string hash;
        using (var stream = File.OpenRead(path)) hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        _known[path] = (size, ticks, hash);
        lock (_append)
            File.AppendAllText(_memoPath, string.Create(CultureInfo.InvariantCulture, $"{path}\t{size}\t{ticks}\t{hash}\n"));
        return hash;
    }

    /// <summary>The cache key of an utterance: its audio's content hash and the segment it uses (32 hex digits).</summary>
    public string KeyOf(Utterance u)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{FileHash(u.AudioPath)}|{u.Offset:R}|{u.Duration:R}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}
