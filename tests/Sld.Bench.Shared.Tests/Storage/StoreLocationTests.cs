// One location string names a database: file paths and sqlite: URLs, postgresql:// URLs, raw connection
// strings of either provider, each with the store's settings and an optional read-only mode.
using Microsoft.Data.Sqlite;
using Npgsql;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Shared.Tests.Storage;

public sealed class StoreLocationTests
{
    [Theory]
    [InlineData("runs/results.db")]
    [InlineData("sqlite:runs/results.db")]
    [InlineData("Data Source=runs/results.db")]
    public void Paths_sqlite_urls_and_sqlite_connection_strings_name_files(string location)
    {
        var parsed = StoreLocation.Parse(location);
        Assert.Equal(StoreProvider.Sqlite, parsed.Provider);
        Assert.Equal(Path.GetFullPath("runs/results.db"), parsed.SqliteFile);
        var b = new SqliteConnectionStringBuilder(parsed.ConnectionString);
        Assert.Equal((SqliteOpenMode.ReadWriteCreate, 30, true), (b.Mode, b.DefaultTimeout, b.ForeignKeys!.Value));
        Assert.False(parsed.ReadOnly);
    }

    [Fact]
    public void Absolute_sqlite_urls_and_read_only_mode()
    {
        var parsed = StoreLocation.Parse("sqlite:///var/lib/sld/results.db", readOnly: true);
        Assert.Equal("/var/lib/sld/results.db", parsed.SqliteFile);
        Assert.True(parsed.ReadOnly);
        Assert.Equal(SqliteOpenMode.ReadOnly, new SqliteConnectionStringBuilder(parsed.ConnectionString).Mode);
    }

    [Fact]
    public void Postgres_urls_become_npgsql_connection_strings()
    {
        var parsed = StoreLocation.Parse("postgresql://sld:p%40ss@db.example:6543/results?sslmode=disable");
        Assert.Equal(StoreProvider.Postgres, parsed.Provider);
        var b = new NpgsqlConnectionStringBuilder(parsed.ConnectionString);
        Assert.Equal(("db.example", 6543, "results", "sld", "p@ss", SslMode.Disable), (b.Host!, b.Port, b.Database!, b.Username!, b.Password!, b.SslMode));
        Assert.Equal("postgresql://sld@db.example:6543/results", parsed.ToString());
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(StoreLocation.Parse("postgres://u@h/d").ConnectionString).Port);
    }

    [Fact]
    public void Npgsql_connection_strings_and_read_only_sessions()
    {
        var parsed = StoreLocation.Parse("Host=h;Database=d;Username=u", readOnly: true);
        Assert.Equal(StoreProvider.Postgres, parsed.Provider);
        Assert.Equal("-c default_transaction_read_only=on", new NpgsqlConnectionStringBuilder(parsed.ConnectionString).Options);
        Assert.True(parsed.ReadOnly);
    }

    [Theory]
    [InlineData("postgresql://u@h")]
    [InlineData("sqlite:")]
    [InlineData("  ")]
    public void Incomplete_locations_are_rejected(string location) =>
        Assert.ThrowsAny<ArgumentException>(() => StoreLocation.Parse(location));
}
