// The results database as the executor and the dashboard use it: open by one location string (SQLite file
// in WAL mode, or PostgreSQL), migrate, and run every operation in a short transaction retried on lock
// contention. Writes that must be atomic across worker processes (claims, upserts) are conditional SQL
// shared by both providers; reads go through EF Core. The operations live in the ResultsStore.*.cs parts.
// A SQLite file is checked before it is opened (StoreFailure): a file that is not a store is never written,
// a read-only one is read without locks, and every provider error leaves as a StoreException in words.
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Sld.Bench.Shared.Storage;

public sealed partial class ResultsStore : IAsyncDisposable
{
    private const int MaxTransientAttempts = 40;
    private int _transientRetries;

    private ResultsStore(StoreLocation location)
    {
        Location = location;
        ConnectionString = location.ConnectionString;
    }

    public StoreLocation Location { get; }

    /// <summary>What connections use: the location's, or for a SQLite file in a read-only folder its immutable URI form.</summary>
    private string ConnectionString { get; set; }

    public bool IsReadOnly => Location.ReadOnly;

    /// <summary>How many times an operation was retried because another process held a lock (for diagnostics).</summary>
    public int TransientRetries => Volatile.Read(ref _transientRetries);

    /// <summary>
    /// Opens (and for read-write, creates and migrates) the database named by <paramref name="location"/>:
    /// a path or sqlite:PATH, postgresql://user:pass@host:port/db, or a connection string.
    /// </summary>
    public static async Task<ResultsStore> OpenAsync(string location, bool readOnly = false, CancellationToken ct = default)
    {
        var store = new ResultsStore(StoreLocation.Parse(location, readOnly));
        try
        {
            return await store.OpenCheckedAsync(readOnly, ct);
        }
        catch
        {
            await store.DisposeAsync(); // no pooled connection outlives a store that could not be opened
            throw;
        }
    }

    private async Task<ResultsStore> OpenCheckedAsync(bool readOnly, CancellationToken ct)
    {
        var store = this;
        var sqliteFile = store.Location.SqliteFile is { } f && f != ":memory:" ? f : null;
        if (readOnly)
        {
            if (sqliteFile is not null)
            {
                if (!File.Exists(sqliteFile)) throw new FileNotFoundException($"results database {sqliteFile} does not exist", sqliteFile);
                StoreFailure.CheckSqliteFile(sqliteFile);
                await store.OpenReadOnlySqliteAsync(sqliteFile, ct);
            }
            return store;
        }
        if (sqliteFile is not null)
        {
            StoreFailure.CheckSqliteFile(sqliteFile);
            if (Path.GetDirectoryName(sqliteFile) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            if (File.Exists(sqliteFile) && new FileInfo(sqliteFile).Length > 0)
            {
                var tables = await store.RetryAsync(() => store.TablesAsync(ct), ct);
                if (tables.Count > 0 && !tables.Contains("__EFMigrationsHistory"))
                    throw new StoreException(
                        $"{sqliteFile} is a SQLite database of something else (tables {string.Join(", ", tables.Take(5))}), not a results store; " +
                        "it was left untouched: name another file with --db");
            }
        }
        await store.MigrateAsync(ct);
        return store;
    }

    /// <summary>
    /// Checks that a read-only SQLite file is a results store. In a folder this process cannot write, a WAL
    /// database cannot create its shared-memory file; it is then read as immutable (no locks), which is
    /// exact as long as nothing writes it meanwhile, the only way such a store can be read at all.
    /// </summary>
    private async Task OpenReadOnlySqliteAsync(string file, CancellationToken ct)
    {
        if (new FileInfo(file).Length == 0)
            throw new StoreException($"{file} is empty: not a results store (a sweep run creates one)");
        IReadOnlyList<string> tables;
        try
        {
            tables = await RetryAsync(() => TablesAsync(ct), ct);
        }
        catch (StoreException e) when (e.InnerException is SqliteException s && (s.SqliteErrorCode & 0xFF) is 8 or 14 or 10)
        {
            var builder = new SqliteConnectionStringBuilder(Location.ConnectionString)
            {
                DataSource = "file:" + Uri.EscapeDataString(file).Replace("%2F", "/", StringComparison.Ordinal) + "?immutable=1",
            };
            ConnectionString = builder.ToString();
            tables = await RetryAsync(() => TablesAsync(ct), ct);
        }
        if (!tables.Contains("runs"))
            throw new StoreException($"{file} is a SQLite database but not a results store (it has no runs table); name the results store with --db");
        await UpgradeForReadingAsync(file, ct);
    }

    /// <summary>
    /// A store written by an older sldbench lacks columns that reads select: it is migrated (only ever adding
    /// columns and tables) when this process may write it, and otherwise named as needing an upgrade.
    /// </summary>
    private async Task UpgradeForReadingAsync(string file, CancellationToken ct)
    {
        await using var ctx = CreateContext();
        var known = ctx.Database.GetMigrations().ToList();
        var applied = (await RetryAsync(async () => (await ctx.Database.GetAppliedMigrationsAsync(ct)).ToList(), ct)).ToHashSet(StringComparer.Ordinal);
        var missing = known.Where(m => !applied.Contains(m)).ToList();
        if (missing.Count == 0) return;
        try
        {
            await using var writable = await OpenAsync(file, readOnly: false, ct);
        }
        catch (StoreException e)
        {
            throw new StoreException($"the results store {file} was written by an older sldbench and needs the upgrade {string.Join(", ", missing)}, " +
                $"which this process cannot write ({e.Message}); run any sweep command on it once with write access", e);
        }
    }

    private async Task<IReadOnlyList<string>> TablesAsync(CancellationToken ct)
    {
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = Command(conn, null, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var names = new List<string>();
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Opens a read-only view for the dashboard: no migration, no writes (SQLite Mode=ReadOnly, PostgreSQL read-only transactions).</summary>
    public static Task<ResultsStore> OpenReadOnlyAsync(string location, CancellationToken ct = default) => OpenAsync(location, readOnly: true, ct);

    /// <summary>A new EF Core context (no tracking) for queries the store does not offer; dispose it.</summary>
    public ResultsDbContext CreateContext() => Location.Provider switch
    {
        StoreProvider.Sqlite => new SqliteResultsDbContext(new DbContextOptionsBuilder<SqliteResultsDbContext>()
            .UseSqlite(ConnectionString).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking).Options),
        _ => new PostgresResultsDbContext(new DbContextOptionsBuilder<PostgresResultsDbContext>()
            .UseNpgsql(Location.ConnectionString).UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking).Options),
    };

    /// <summary>The names of the migrations applied to the database, oldest first.</summary>
    public async Task<IReadOnlyList<string>> AppliedMigrationsAsync(CancellationToken ct = default)
    {
        await using var ctx = CreateContext();
        return (await ctx.Database.GetAppliedMigrationsAsync(ct)).ToList();
    }

    /// <summary>The migrations this build has that the database has not applied yet (all of them for an empty database).</summary>
    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken ct = default)
    {
        await using var ctx = CreateContext();
        return (await ctx.Database.GetPendingMigrationsAsync(ct)).ToList();
    }

    /// <summary>
    /// Writes a consistent copy of a SQLite store to <paramref name="file"/> (VACUUM INTO: safe while workers
    /// write, unlike copying the file and its WAL). A PostgreSQL store is backed up with pg_dump.
    /// </summary>
    public async Task BackupSqliteAsync(string file, CancellationToken ct = default)
    {
        if (Location.Provider != StoreProvider.Sqlite)
            throw new InvalidOperationException($"{Location} is a PostgreSQL store: back it up with pg_dump (docs/deploy.md)");
        var target = Path.GetFullPath(file);
        if (File.Exists(target)) throw new IOException($"{target} exists already; a backup never overwrites a file");
        if (Path.GetDirectoryName(target) is { } dir) Directory.CreateDirectory(dir);
        await using var conn = await OpenConnectionAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "VACUUM INTO @target";
        cmd.Parameters.Add(new SqliteParameter("@target", target));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task MigrateAsync(CancellationToken ct)
    {
        if (Location.Provider == StoreProvider.Sqlite)
        {
            // WAL lets readers (the dashboard) run beside one writer; it is a property of the file, set once.
            await RetryAsync(async () =>
            {
                await using var conn = await OpenConnectionAsync(ct);
                await using var cmd = conn.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode=WAL;";
                var mode = (string?)await cmd.ExecuteScalarAsync(ct);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                    throw new SqliteException($"could not switch {Location} to WAL (journal mode is {mode})", 5);
                return 0;
            }, ct);
        }
        // EF Core takes a lock row (__EFMigrationsLock) to migrate; a process killed or interrupted while holding
        // it left every later open waiting forever. So: migrate only when a migration is pending, never cancel a
        // migration half-way, and clear a lock left by a process that died more than ten minutes ago.
        await RetryAsync(async () =>
        {
            await using var ctx = CreateContext();
            if (!(await ctx.Database.GetPendingMigrationsAsync(CancellationToken.None)).Any()) return 0;
            if (Location.Provider == StoreProvider.Sqlite)
            {
                await using var conn = await OpenConnectionAsync(CancellationToken.None);
                await using var stale = Command(conn, null,
                    "DELETE FROM __EFMigrationsLock WHERE Timestamp < @cutoff AND EXISTS (SELECT 1 FROM sqlite_master WHERE name = '__EFMigrationsLock')",
                    ("@cutoff", DateTimeOffset.UtcNow.AddMinutes(-10).ToString("yyyy-MM-dd HH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture)));
                try
                {
                    await stale.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 1)
                {
                    // No lock table yet: nothing to clear.
                }
            }
            await ctx.Database.MigrateAsync(CancellationToken.None);
            return 0;
        }, ct);
    }

    private async Task<DbConnection> OpenConnectionAsync(CancellationToken ct)
    {
        DbConnection conn = Location.Provider == StoreProvider.Sqlite
            ? new SqliteConnection(ConnectionString)
            : new NpgsqlConnection(ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            if (conn is SqliteConnection)
            {
                await using var cmd = conn.CreateCommand();
                // NORMAL is durable across application crashes in WAL mode and much cheaper than FULL.
                cmd.CommandText = $"PRAGMA busy_timeout={(int)StoreLocation.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous=NORMAL;";
                await cmd.ExecuteNonQueryAsync(ct);
            }
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction (SQLite: BEGIN IMMEDIATE), retried as a whole on lock contention.</summary>
    private Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        EnsureWritable();
        return RetryAsync(async () =>
        {
            await using var conn = await OpenConnectionAsync(ct);
            await using var tx = conn is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var result = await work(conn, tx);
            await tx.CommitAsync(ct);
            return result;
        }, ct);
    }

    /// <summary>Runs a read on a fresh EF context, retried on lock contention.</summary>
    private Task<T> ReadAsync<T>(Func<ResultsDbContext, Task<T>> work, CancellationToken ct) =>
        RetryAsync(async () =>
        {
            await using var ctx = CreateContext();
            return await work(ctx);
        }, ct);

    private async Task<T> RetryAsync<T>(Func<Task<T>> operation, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (Exception e) when (IsTransient(e) && attempt < MaxTransientAttempts)
            {
                Interlocked.Increment(ref _transientRetries);
                var ms = Math.Min(1000, 5 * (1 << Math.Min(attempt, 8)));
                await Task.Delay(TimeSpan.FromMilliseconds(ms / 2 + Random.Shared.Next(ms)), ct);
            }
            catch (Exception e) when (e is not StoreException && !IsTransient(e) && StoreFailure.Describe(e, Location) is { } failure)
            {
                throw failure;
            }
        }
    }

    private static bool IsTransient(Exception e) => e switch
    {
        SqliteException s => s.SqliteErrorCode is 5 or 6, // SQLITE_BUSY (incl. BUSY_SNAPSHOT), SQLITE_LOCKED
        PostgresException p => p.SqlState is "40001" or "40P01" or "55P03", // serialization failure, deadlock, lock not available
        DbUpdateException { InnerException: { } inner } => IsTransient(inner),
        InvalidOperationException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    private void EnsureWritable()
    {
        if (IsReadOnly) throw new InvalidOperationException($"the results store {Location} was opened read-only");
    }

    private static DbCommand Command(DbConnection conn, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) AddParameter(cmd, name, value);
        return cmd;
    }

    private static void AddParameter(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    private static async Task<int> ExecuteAsync(DbConnection conn, DbTransaction? tx, string sql, params (string, object?)[] parameters)
    {
        await using var cmd = Command(conn, tx, sql, parameters);
        return await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Inserts rows in bulk, optionally with an ON CONFLICT clause and a RETURNING list (both understood by
    /// SQLite and PostgreSQL). Returns the returned rows.
    /// </summary>
    private static async Task<List<object?[]>> BulkInsertAsync(DbConnection conn, DbTransaction tx, string table, string[] columns,
        IReadOnlyList<object?[]> rows, string conflict = "", string returning = "")
    {
        var results = new List<object?[]>();
        if (conn is SqliteConnection)
        {
            // In-process SQLite: one prepared single-row statement re-bound per row is fastest (binding the
            // parameters of a huge multi-row statement by name is quadratic in SQLite).
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})"
                + (conflict.Length > 0 ? " " + conflict : "") + (returning.Length > 0 ? " RETURNING " + returning : "");
            for (var c = 0; c < columns.Length; c++) AddParameter(cmd, "@p" + c, null);
            foreach (var row in rows)
            {
                for (var c = 0; c < columns.Length; c++) cmd.Parameters[c].Value = row[c] ?? DBNull.Value;
                if (returning.Length == 0) await cmd.ExecuteNonQueryAsync();
                else await ReadReturnedAsync(cmd, results);
            }
            return results;
        }
        // PostgreSQL: multi-row statements, one round trip per chunk (at most 65535 parameters per statement).
        var perChunk = Math.Clamp(30000 / columns.Length, 1, 1000);
        for (var start = 0; start < rows.Count; start += perChunk)
        {
            var count = Math.Min(perChunk, rows.Count - start);
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            var sql = new System.Text.StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
            var n = 0;
            for (var r = 0; r < count; r++)
            {
                if (r > 0) sql.Append(", ");
                sql.Append('(');
                var row = rows[start + r];
                for (var c = 0; c < columns.Length; c++)
                {
                    if (c > 0) sql.Append(", ");
                    var name = "@p" + n++;
                    sql.Append(name);
                    AddParameter(cmd, name, row[c]);
                }
                sql.Append(')');
            }
            if (conflict.Length > 0) sql.Append(' ').Append(conflict);
            if (returning.Length > 0) sql.Append(" RETURNING ").Append(returning);
            cmd.CommandText = sql.ToString();
            if (returning.Length == 0)
            {
                await cmd.ExecuteNonQueryAsync();
                continue;
            }
            await ReadReturnedAsync(cmd, results);
        }
        return results;
    }

    private static async Task ReadReturnedAsync(DbCommand cmd, List<object?[]> results)
    {
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            reader.GetValues(values!);
            results.Add(values.Select(v => v is DBNull ? null : v).ToArray());
        }
    }

    private static string Status(RunStatus s) => s.ToString().ToLowerInvariant();

    private static string Status(ArtifactStatus s) => s.ToString().ToLowerInvariant();

    public ValueTask DisposeAsync()
    {
        if (Location.Provider == StoreProvider.Sqlite)
        {
            using var conn = new SqliteConnection(ConnectionString);
            SqliteConnection.ClearPool(conn);
        }
        else
        {
            using var conn = new NpgsqlConnection(Location.ConnectionString);
            NpgsqlConnection.ClearPool(conn);
        }
        return ValueTask.CompletedTask;
    }
}
