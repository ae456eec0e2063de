using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos.Tests;

/// <summary>
/// How the adapter maps the service's status codes (the emulator does not produce every one: these are unit tests, run
/// with the rest of the assembly). A document over Cosmos DB's 2 MB is answered 413 RequestEntityTooLarge: it was no
/// transient fault and no mapped one, so the SDK's exception reached the API and was a 500 that said nothing. It is a
/// refusal naming the store and why, not retried (the same write fails however often it is tried).
/// </summary>
public sealed class CosmosFaultsTests
{
    [Fact]
    public async Task A_document_too_large_is_a_refusal_naming_the_store_and_is_not_retried()
    {
        var attempts = 0;

        var refused = await Assert.ThrowsAsync<StoreRefusedException>(() => CosmosFaults.RunAsync<int>("account store", "replace account", () =>
        {
            attempts++;
            throw new CosmosException("Request size is too large", HttpStatusCode.RequestEntityTooLarge, 0, "activity", 1.0);
        }, default));

        Assert.Equal(1, attempts);
        Assert.Equal("account store", refused.Store);
        Assert.Equal("replace account: the document is larger than Cosmos DB holds (2 MB) (413 RequestEntityTooLarge)", refused.Message);
        Assert.False(CosmosFaults.IsTransient(refused.InnerException!));
    }

    [Fact]
    public async Task Throttling_is_still_retried_and_then_unavailable()
    {
        var attempts = 0;

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => CosmosFaults.RunAsync<int>("account store", "replace account", () =>
        {
            attempts++;
            throw new CosmosException("busy", HttpStatusCode.ServiceUnavailable, 0, "activity", 1.0);
        }, default));

        Assert.Equal(3, attempts);
        Assert.Equal("account store", fault.Store);
    }
}
