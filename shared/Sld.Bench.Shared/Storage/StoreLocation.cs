// One string names a results database: a file path or `sqlite:PATH` (SQLite, the default on one machine), a
// `postgresql://user:pass@host:port/db` URL, or a raw connection string of either provider. The parsed
// form carries the provider and an ADO.NET connection string with the store's settings applied.
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Sld.Bench.Shared.Storage;

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

public sealed record StoreLocation(StoreProvider Provider, string ConnectionString)
{
    /// <summary>How long a SQLite command waits on another process's write lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    public static StoreLocation Parse(string location, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        var text = location.Trim();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return Postgres(FromUrl(text), readOnly);
        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
            return Sqlite(new SqliteConnectionStringBuilder { DataSource = SqlitePath(text) }, readOnly);
        if (HasKey(text, "Host") || HasKey(text, "Server"))
            return Postgres(new NpgsqlConnectionStringBuilder(text), readOnly);
        if (HasKey(text, "Data Source") || HasKey(text, "DataSource") || HasKey(text, "Filename"))
            return Sqlite(new SqliteConnectionStringBuilder(text), readOnly);
        return Sqlite(new SqliteConnectionStringBuilder { DataSource = text }, readOnly);
    }

    /// <summary>The SQLite file, or null for PostgreSQL.</summary>
    public string? SqliteFile => Provider == StoreProvider.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    public bool ReadOnly => Provider == StoreProvider.Sqlite
        ? new SqliteConnectionStringBuilder(ConnectionString).Mode == SqliteOpenMode.ReadOnly
        : (new NpgsqlConnectionStringBuilder(ConnectionString).Options ?? "").Contains("default_transaction_read_only=on", StringComparison.Ordinal);

    /// <summary>The location without its password, for logs and error messages.</summary>
    public override string ToString()
    {
        if (Provider == StoreProvider.Sqlite) return $"sqlite:{SqliteFile}";
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }

    // sqlite:relative/path, sqlite:/absolute/path and sqlite:///absolute/path all name files.
    private static string SqlitePath(string text)
    {
        var rest = text["sqlite:".Length..];
        if (rest.StartsWith("///", StringComparison.Ordinal)) return rest[2..];
        if (rest.StartsWith("//", StringComparison.Ordinal)) return rest[2..];
        return rest;
    }

    private static StoreLocation Sqlite(SqliteConnectionStringBuilder b, bool readOnly)
    {
        if (string.IsNullOrWhiteSpace(b.DataSource)) throw new ArgumentException("a SQLite location needs a file path");
        if (b.DataSource != ":memory:") b.DataSource = Path.GetFullPath(b.DataSource);
        b.Mode = readOnly ? SqliteOpenMode.ReadOnly : b.Mode == SqliteOpenMode.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate;
        b.DefaultTimeout = (int)BusyTimeout.TotalSeconds;
        b.ForeignKeys = true;
        b.Pooling = true;
        return new StoreLocation(StoreProvider.Sqlite, b.ToString());
    }

    private static StoreLocation Postgres(NpgsqlConnectionStringBuilder b, bool readOnly)
    {
        if (readOnly)
        {
            const string option = "-c default_transaction_read_only=on";
            b.Options = string.IsNullOrEmpty(b.Options) ? option : b.Options.Contains(option, StringComparison.Ordinal) ? b.Options : b.Options + " " + option;
        }
        b.CommandTimeout = Math.Max(b.CommandTimeout, 60);
        return new StoreLocation(StoreProvider.Postgres, b.ToString());
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        var uri = new Uri(url);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            b[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
        }
        if (string.IsNullOrEmpty(b.Database)) throw new ArgumentException($"the PostgreSQL URL {new StoreLocation(StoreProvider.Postgres, b.ToString())} names no database");
        return b;
    }

    private static bool HasKey(string text, string key) =>
        text.Split(';').Any(part => part.Split('=', 2) is [var k, _] && k.Trim().Equals(key, StringComparison.OrdinalIgnoreCase));
}
