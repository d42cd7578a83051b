// The store contract against a real PostgreSQL 15 cluster started for these tests (PostgresCluster); the
// tests fail with the install command when the server binaries are missing.
namespace Sld.Bench.Shared.Tests.Storage;

public sealed class PostgresStoreTests(PostgresCluster cluster) : StoreContractTests, IClassFixture<PostgresCluster>
{
    protected override Task<string> NewDatabaseAsync() => cluster.CreateDatabaseAsync();
}
