// What can be wrong with a results store before or while it is used, said in words: a file that is not a
// SQLite store, one that is truncated or corrupt, a read-only folder, a full disk, an unreachable server.
// SQLite files are checked by their header before anything is opened for writing, so a stranger's file is
// refused untouched; provider exceptions become one StoreException that names the store and what to do.
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Sld.Bench.Shared.Storage;

/// <summary>The results store cannot be used as asked; the message names it and says what to do.</summary>
public sealed class StoreException(string message, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The disk (or the server's) is full: workers stop claiming and leave cells pending.</summary>
    public bool IsDiskFull { get; init; }
}

public static class StoreFailure
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// Refuses a SQLite file that cannot be a store: not SQLite (wrong header), or shorter than its own header
    /// says (truncated). An absent file or an empty one is a new store.
    /// </summary>
    public static void CheckSqliteFile(string file)
    {
        if (!File.Exists(file)) return;
        byte[] header = new byte[100];
        long length;
        int read;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"the results store {file} cannot be read: {e.Message}", e);
        }
        if (length == 0) return;
        if (read < header.Length || !header.AsSpan(0, SqliteHeader.Length).SequenceEqual(SqliteHeader))
            throw new StoreException(
                $"{file} is not a results store: it is not a SQLite database ({length:N0} bytes that do not start with the SQLite header). " +
                "It was left untouched; name another file with --db, or move this one away to start a new store there.");
        var pageSize = (header[16] << 8) | header[17];
        long pageBytes = pageSize == 1 ? 65536 : pageSize;
        var changeCounter = ReadUInt32(header, 24);
        long pages = ReadUInt32(header, 28);
        var validFor = ReadUInt32(header, 92);
        // The page count in the header is only meaningful when it was written with the current change counter;
        // with a live write-ahead log, recent pages are in the -wal file rather than the main file.
        var wal = new FileInfo(file + "-wal");
        if (pages > 0 && validFor == changeCounter && !(wal.Exists && wal.Length > 0) && length < pages * pageBytes)
            throw new StoreException(
                $"the results store {file} is truncated: {length:N0} bytes where its header says {pages * pageBytes:N0}. " +
                "It was left untouched; restore it from a backup, or move it away to start a new store (sqlite3's .recover can salvage rows).");
    }

    /// <summary>The store-level explanation of a provider exception, or null when <paramref name="e"/> is not about the store.</summary>
    public static StoreException? Describe(Exception e, StoreLocation location)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case StoreException store:
                    return store;
                case SqliteException s:
                    return Sqlite(s, location);
                case PostgresException p when p.SqlState == "53100":
                    return new StoreException($"the PostgreSQL server of {location} is out of disk space ({p.MessageText}); free space, then resume", e) { IsDiskFull = true };
                case PostgresException p when p.SqlState is "42P01":
                    return new StoreException($"{location} is not a results store ({p.MessageText}); run `sldbench sweep run` against it once to create the tables", e);
                case NpgsqlException n when n is not PostgresException:
                    return new StoreException($"cannot reach the PostgreSQL store {location}: {n.Message}", e);
            }
        }
        return null;
    }

    private static StoreException Sqlite(SqliteException s, StoreLocation location)
    {
        var file = location.SqliteFile ?? location.ToString();
        // Extended result codes keep the primary code in the low byte.
        return (s.SqliteErrorCode & 0xFF) switch
        {
            26 => new StoreException($"{file} is not a results store (SQLite: {s.Message.TrimEnd('.')}). It was not changed; name another file with --db, or move it away to start a new store.", s),
            11 => new StoreException($"the results store {file} is corrupt (SQLite: {s.Message.TrimEnd('.')}); restore it from a backup, or move it away to start a new store (sqlite3's .recover can salvage rows).", s),
            8 => new StoreException($"the results store {file} cannot be written: the file or its folder is read-only (SQLite: {s.Message.TrimEnd('.')}). Reading commands (runs list, export, serve) still work.", s),
            13 => new StoreException($"the disk holding the results store {file} is full; free space, then `sldbench sweep resume` continues (SQLite: {s.Message.TrimEnd('.')})", s) { IsDiskFull = true },
            14 => new StoreException($"the results store {file} cannot be opened: its folder is missing, not accessible or read-only (SQLite: {s.Message.TrimEnd('.')})", s),
            10 when IsDiskFullText(s.Message) => new StoreException($"the disk holding the results store {file} is full; free space, then `sldbench sweep resume` continues (SQLite: {s.Message.TrimEnd('.')})", s) { IsDiskFull = true },
            10 => new StoreException($"the results store {file} could not be read or written (SQLite I/O error: {s.Message.TrimEnd('.')}; a full disk is the usual cause)", s),
            1 when s.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) =>
                new StoreException($"{file} is a SQLite database but not a results store ({s.Message.TrimEnd('.')}); name the results store with --db", s),
            _ => new StoreException($"the results store {file} failed: SQLite error {s.SqliteErrorCode}: {s.Message.TrimEnd('.')}", s),
        };
    }

    /// <summary>Whether an exception (from the store or the file system) says the disk is full.</summary>
    public static bool IsDiskFull(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is StoreException { IsDiskFull: true }) return true;
            if (x is SqliteException s && ((s.SqliteErrorCode & 0xFF) == 13 || IsDiskFullText(s.Message))) return true;
            if (x is PostgresException { SqlState: "53100" }) return true;
            // ENOSPC (28) and EDQUOT (122) on Linux; .NET keeps the errno in the low bits of HResult for IO errors.
            if (x is IOException io && ((io.HResult & 0xFFFF) is 28 or 122 || IsDiskFullText(io.Message))) return true;
        }
        return false;
    }

    private static bool IsDiskFullText(string message) =>
        message.Contains("No space left", StringComparison.OrdinalIgnoreCase) || message.Contains("disk is full", StringComparison.OrdinalIgnoreCase)
        || message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase);

    private static uint ReadUInt32(byte[] b, int at) => (uint)(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
}
