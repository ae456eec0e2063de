using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

internal sealed record CounterDocument([property: JsonPropertyName("id")] string Id, InvoiceCounter Counter);

/// <summary>Number counters, partition /id (one small document per series and year); every write names the ETag it read.</summary>
public sealed class CosmosInvoiceCounterStore(Container container) : IInvoiceCounterStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "invoice counter store";

    private static readonly ItemRequestOptions NoContent = new() { EnableContentResponseOnWrite = false };

    public async Task<Versioned<InvoiceCounter>?> GetAsync(string counterId, CancellationToken cancellationToken) =>
        await CosmosItems.TryReadAsync<CounterDocument>(Store, container, counterId, counterId, "read counter", cancellationToken) is { } response
            ? new Versioned<InvoiceCounter>(response.Resource.Counter, response.ETag)
            : null;

    public Task<string?> TryCreateAsync(InvoiceCounter counter, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "create counter", async () =>
        {
            try
            {
                return (await container.CreateItemAsync(new CounterDocument(counter.Id, counter), new PartitionKey(counter.Id), NoContent, cancellationToken)).ETag;
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                return null;
            }
        }, cancellationToken);

    public Task<string?> TryReplaceAsync(InvoiceCounter counter, string ifMatch, CancellationToken cancellationToken) =>
        CosmosFaults.RunAsync(Store, "replace counter", async () =>
        {
            try
            {
                var options = new ItemRequestOptions { IfMatchEtag = ifMatch, EnableContentResponseOnWrite = false };
                return (await container.ReplaceItemAsync(new CounterDocument(counter.Id, counter), counter.Id, new PartitionKey(counter.Id), options, cancellationToken)).ETag;
            }
            catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);
}
