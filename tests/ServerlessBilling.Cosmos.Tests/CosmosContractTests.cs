using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Ingestion;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

[Collection(CosmosCollection.Name)]
public sealed class CosmosStoreContractTests(CosmosFixture cosmos) : AccountStoreContract
{
    protected override IAccountStore Accounts => cosmos.Accounts;

    protected override ISessionIndex Sessions => cosmos.Sessions;

    protected override IRateDeckStore Decks => cosmos.Decks;

    protected override ITopUpStore TopUps => cosmos.TopUps;
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosCreditControlContractTests(CosmosFixture cosmos) : CreditControlContract
{
    protected override IAccountStore Accounts => cosmos.Accounts;

    protected override ISessionIndex Sessions => cosmos.Sessions;

    protected override IRateDeckStore Decks => cosmos.Decks;
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosIngestionContractTests(CosmosFixture cosmos) : IngestionContract
{
    protected override IAccountStore Accounts => cosmos.Accounts;

    protected override ISessionIndex Sessions => cosmos.Sessions;

    protected override IRateDeckStore Decks => cosmos.Decks;

    protected override IUsageStore Usage => cosmos.Usage;

    protected override IQuarantineStore Quarantine => cosmos.Quarantine;
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosInvoicingContractTests(CosmosFixture cosmos) : InvoicingContract
{
    protected override InvoicingStores Stores { get; } =
        new(cosmos.Accounts, cosmos.Sessions, cosmos.Decks, cosmos.Usage, cosmos.Quarantine, cosmos.Invoices, cosmos.Counters);

    protected override IAccountDirectory AllAccounts => (IAccountDirectory)cosmos.Accounts;
}
