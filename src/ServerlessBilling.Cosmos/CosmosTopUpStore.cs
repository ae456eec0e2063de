using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Accounts;

namespace ServerlessBilling.Cosmos;

internal sealed record TopUpDocument([property: JsonPropertyName("id")] string Id, string AccountId, TopUpRecord Record);

/// <summary>Top-up history, partition /accountId, id = top-up id (created, never replaced).</summary>
public sealed class CosmosTopUpStore(Container container) : ITopUpStore
{
    public Task<bool> ExistsAsync(string accountId, string topUpId, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync("read top-up", async () =>
        {
            try
            {
                await container.ReadItemAsync<TopUpDocument>(topUpId, new PartitionKey(accountId), cancellationToken: cancellationToken);
                return true;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    public Task<bool> TryCreateAsync(TopUpRecord record, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync("record top-up", async () =>
        {
            try
            {
                await container.CreateItemAsync(
                    new TopUpDocument(record.TopUpId, record.AccountId, record),
                    new PartitionKey(record.AccountId),
                    new ItemRequestOptions { EnableContentResponseOnWrite = false },
                    cancellationToken);
                return true;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }
        }, cancellationToken);
}
