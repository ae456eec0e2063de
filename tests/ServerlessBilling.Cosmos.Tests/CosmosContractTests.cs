using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

[Collection(CosmosCollection.Name)]
public sealed class CosmosStoreContractTests(CosmosFixture cosmos) : StoreContract
{
    protected override StoreSet Stores { get; } =
        new(cosmos.Accounts, cosmos.Sessions, cosmos.Decks, cosmos.Usage, cosmos.Quarantine, cosmos.TopUps,
            new CosmosAlertStore(cosmos.Database.GetContainer(cosmos.Options.AlertsContainer)),
            new CosmosMonitorStore(cosmos.Database.GetContainer(cosmos.Options.MonitorsContainer)),
            (IAccountDirectory)cosmos.Accounts);
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosInvoicingContractTests(CosmosFixture cosmos) : InvoicingContract
{
    protected override InvoicingStores Stores { get; } =
        new(cosmos.Accounts, cosmos.Sessions, cosmos.Decks, cosmos.Usage, cosmos.Quarantine, cosmos.Invoices, cosmos.Counters);

    protected override IAccountDirectory AllAccounts => (IAccountDirectory)cosmos.Accounts;
}
