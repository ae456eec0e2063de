using System.Net;
using Microsoft.Azure.Cosmos;

namespace ServerlessBilling.Cosmos;

/// <summary>The two idempotent primitives every store here is built on, with the fault rule of <see cref="CosmosFaults"/>.</summary>
internal static class CosmosItems
{
    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    /// <summary>Creates the item; false when one with that id exists in the partition (409).</summary>
    public static Task<bool> TryCreateAsync<T>(string store, Container container, T item, string partitionKey, string what, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(store, what, async () =>
        {
            try
            {
                await container.CreateItemAsync(item, new PartitionKey(partitionKey), NoContent, cancellationToken);
                return true;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>Reads the item, or null when it does not exist (404).</summary>
    public static Task<ItemResponse<T>?> TryReadAsync<T>(string store, Container container, string id, string partitionKey, string what, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(store, what, async () =>
        {
            try
            {
                return await container.ReadItemAsync<T>(id, new PartitionKey(partitionKey), cancellationToken: cancellationToken);
            }
            catch (CosmosException ex) when (CosmosFaults.IsMissingItem(ex))
            {
                return null;
            }
        }, cancellationToken);
}
