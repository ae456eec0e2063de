using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

[Collection(CosmosCollection.Name)]
public sealed class CosmosStoreContractTests(CosmosFixture cosmos) : AccountStoreContract
{
    protected override IAccountStore Accounts => cosmos.Accounts;

    protected override ISessionIndex Sessions => cosmos.Sessions;

    protected override IRateDeckStore Decks => cosmos.Decks;
}

[Collection(CosmosCollection.Name)]
public sealed class CosmosCreditControlContractTests(CosmosFixture cosmos) : CreditControlContract
{
    protected override IAccountStore Accounts => cosmos.Accounts;

    protected override ISessionIndex Sessions => cosmos.Sessions;

    protected override IRateDeckStore Decks => cosmos.Decks;
}
