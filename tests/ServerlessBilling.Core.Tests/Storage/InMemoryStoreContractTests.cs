using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

public sealed class InMemoryStoreContractTests : StoreContract
{
    public InMemoryStoreContractTests()
    {
        var accounts = new InMemoryAccountStore();
        Stores = new(
            accounts,
            new InMemorySessionIndex(),
            new InMemoryRateDeckStore(),
            new InMemoryUsageStore(),
            new InMemoryQuarantineStore(),
            new InMemoryTopUpStore(),
            new InMemoryAlertStore(),
            new InMemoryMonitorStore(),
            accounts);
    }

    protected override StoreSet Stores { get; }
}

public sealed class InMemoryInvoicingContractTests : InvoicingContract
{
    private readonly InMemoryAccountStore _accounts = new();

    public InMemoryInvoicingContractTests()
    {
        Stores = new InvoicingStores(
            _accounts, new InMemorySessionIndex(), new InMemoryRateDeckStore(), new InMemoryUsageStore(), new InMemoryQuarantineStore(),
            new InMemoryInvoiceStore(), new InMemoryInvoiceCounterStore());
    }

    protected override InvoicingStores Stores { get; }

    protected override IAccountDirectory AllAccounts => _accounts;
}
