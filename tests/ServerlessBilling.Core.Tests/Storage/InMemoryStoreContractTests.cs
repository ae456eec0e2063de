using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

public sealed class InMemoryStoreContractTests : AccountStoreContract
{
    protected override IAccountStore Accounts { get; } = new InMemoryAccountStore();

    protected override ISessionIndex Sessions { get; } = new InMemorySessionIndex();

    protected override IRateDeckStore Decks { get; } = new InMemoryRateDeckStore();

    protected override ITopUpStore TopUps { get; } = new InMemoryTopUpStore();
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

public sealed class InMemoryCreditControlContractTests : CreditControlContract
{
    protected override IAccountStore Accounts { get; } = new InMemoryAccountStore();

    protected override ISessionIndex Sessions { get; } = new InMemorySessionIndex();

    protected override IRateDeckStore Decks { get; } = new InMemoryRateDeckStore();
}

public sealed class InMemoryIngestionContractTests : IngestionContract
{
    protected override IAccountStore Accounts { get; } = new InMemoryAccountStore();

    protected override ISessionIndex Sessions { get; } = new InMemorySessionIndex();

    protected override IRateDeckStore Decks { get; } = new InMemoryRateDeckStore();

    protected override IUsageStore Usage { get; } = new InMemoryUsageStore();

    protected override IQuarantineStore Quarantine { get; } = new InMemoryQuarantineStore();
}
