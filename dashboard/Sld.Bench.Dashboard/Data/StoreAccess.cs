// The dashboard's one handle on the results store, opened read-only on first use. A SQLite file that does not
// exist yet, or a server database whose schema no writer has created yet (a fresh docker compose up), is not an
// error: the pages show how to create it, and the next poll opens it once a sweep ran.
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

public sealed class StoreAccess(string location) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ResultsStore? _store;

    public string Location { get; } = location;

    /// <summary>The store, or null while its SQLite file does not exist or its database has no schema yet.</summary>
    public async Task<ResultsStore?> TryGetAsync(CancellationToken ct = default)
    {
        if (_store is { } open) return open;
        await _gate.WaitAsync(ct);
        try
        {
            if (_store is null)
            {
                var parsed = StoreLocation.Parse(Location, readOnly: true);
                if (parsed.SqliteFile is { } file && !File.Exists(file)) return null;
                var store = await ResultsStore.OpenReadOnlyAsync(Location, ct);
                if (parsed.Provider == StoreProvider.Postgres && (await store.AppliedMigrationsAsync(ct)).Count == 0)
                {
                    await store.DisposeAsync();
                    return null;
                }
                _store = store;
            }
            return _store;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is { } store) await store.DisposeAsync();
        _gate.Dispose();
    }
}
