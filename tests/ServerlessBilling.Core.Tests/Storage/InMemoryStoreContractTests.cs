using Microsoft.Extensions.Time.Testing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Storage;

public class InMemoryStoreContractTests : StoreContract
{
    public InMemoryStoreContractTests()
        : this(new MemoryStoreOptions())
    {
    }

    protected InMemoryStoreContractTests(MemoryStoreOptions options)
    {
        var accounts = new InMemoryAccountStore(options);
        var clock = new FakeTimeProvider(Fixtures.Now);
        Stores = new(
            accounts,
            new InMemorySessionIndex(options, clock),
            new InMemoryRateDeckStore(),
            new InMemoryUsageStore(),
            new InMemoryQuarantineStore(),
            new InMemoryTopUpStore(),
            new InMemoryAlertStore(),
            new InMemoryMonitorStore(),
            accounts) { Clock = clock };
    }

    protected override StoreSet Stores { get; }
}

/// <summary>The same suite with no account document kept parsed: each is packed after every read and write, and parsed again when read.</summary>
public sealed class InMemoryPackedStoreContractTests() : InMemoryStoreContractTests(new MemoryStoreOptions { ParsedAccounts = 0 });

public class InMemoryInvoicingContractTests : InvoicingContract
{
    private readonly InMemoryAccountStore _accounts;

    public InMemoryInvoicingContractTests()
        : this(new MemoryStoreOptions())
    {
    }

    protected InMemoryInvoicingContractTests(MemoryStoreOptions options)
    {
        _accounts = new InMemoryAccountStore(options);
        Stores = new InvoicingStores(
            _accounts, new InMemorySessionIndex(), new InMemoryRateDeckStore(), new InMemoryUsageStore(), new InMemoryQuarantineStore(),
            new InMemoryInvoiceStore(), new InMemoryInvoiceCounterStore());
    }

    protected override InvoicingStores Stores { get; }

    protected override IAccountDirectory AllAccounts => _accounts;
}

/// <summary>The invoicing suite with no account document kept parsed.</summary>
public sealed class InMemoryPackedInvoicingContractTests() : InMemoryInvoicingContractTests(new MemoryStoreOptions { ParsedAccounts = 0 });
