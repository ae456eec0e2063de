using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>
/// A container that disappears (an emulator restart, a deleted resource) is an outage: every store call is a
/// StoreUnavailableException (HTTP 503), never "account not found" or "already applied".
/// </summary>
[Collection(CosmosCollection.Name)]
public sealed class CosmosMissingContainerTests(CosmosFixture cosmos)
{
    [Fact]
    public async Task Reads_and_writes_on_a_missing_container_are_store_faults_not_answers()
    {
        var options = new CosmosOptions
        {
            Endpoint = cosmos.Options.Endpoint,
            Key = cosmos.Options.Key,
            Database = $"billing-missing-{Guid.NewGuid():N}",
            AcceptLoopbackCertificate = true,
            CreateIfNotExists = true,
        };
        using var client = CosmosClientFactory.Create(options);
        var database = await CosmosBootstrap.EnsureAsync(client, options, default);
        try
        {
            var accounts = new CosmosAccountStore(database.GetContainer(options.AccountsContainer));
            var topUps = new CosmosTopUpStore(database.GetContainer(options.TopUpsContainer));
            Assert.Null(await accounts.GetAsync("nobody", default)); // a missing item is still "not there"

            await database.GetContainer(options.AccountsContainer).DeleteContainerAsync();
            await database.GetContainer(options.TopUpsContainer).DeleteContainerAsync();

            var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => accounts.GetAsync("nobody", default));
            Assert.Equal("account store", fault.Store); // the 503 names the store that failed
            await Assert.ThrowsAsync<StoreUnavailableException>(() => accounts.TryReplaceAsync(AccountState.Open("acc", Fixtures.Prepaid(), 10m, Fixtures.Now), "\"etag\"", default));
            Assert.Equal("top-up store", (await Assert.ThrowsAsync<StoreUnavailableException>(() => topUps.FindAsync("acc", "t-1", default))).Store);
        }
        finally
        {
            await database.DeleteAsync();
        }
    }
}
