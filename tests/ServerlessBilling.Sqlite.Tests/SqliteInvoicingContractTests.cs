using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Sqlite.Tests;

/// <summary>The invoicing contract (invoices, number counters, the account directory) on a fresh SQLite file per test.</summary>
public sealed class SqliteInvoicingContractTests : InvoicingContract, IDisposable
{
    private readonly TempStore _store = new();

    protected override InvoicingStores Stores => new(
        _store.Stores.Accounts, _store.Stores.Sessions, _store.Stores.Decks, _store.Stores.Usage, _store.Stores.Quarantine,
        new SqliteInvoiceStore(_store.Database), new SqliteInvoiceCounterStore(_store.Database));

    protected override IAccountDirectory AllAccounts => new SqliteAccountStore(_store.Database);

    public void Dispose() => _store.Dispose();
}
