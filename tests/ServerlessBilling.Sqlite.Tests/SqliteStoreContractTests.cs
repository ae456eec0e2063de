using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>The contract every store passes, on a fresh SQLite file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContract, IDisposable
{
    private readonly TempStore _store = new();

    protected override StoreSet Stores => _store.Stores;

    public void Dispose() => _store.Dispose();
}
