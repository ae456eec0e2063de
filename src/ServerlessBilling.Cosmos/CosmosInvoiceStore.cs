using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Cosmos;

internal sealed record InvoiceDocument([property: JsonPropertyName("id")] string Id, string AccountId, string Period, Invoice Invoice);

/// <summary>Invoices and statements, partition /accountId, id = the deterministic invoice id; created, never replaced (409 = issued before).</summary>
public sealed class CosmosInvoiceStore(Container container) : IInvoiceStore
{
    /// <summary>How a 503 names this store when it fails.</summary>
    private const string Store = "invoice store";

    public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken) =>
        CosmosItems.TryCreateAsync(Store, container, new InvoiceDocument(invoice.InvoiceId, invoice.AccountId, invoice.Period, invoice), invoice.AccountId, "create invoice", cancellationToken);

    public async Task<Invoice?> GetAsync(string accountId, string invoiceId, CancellationToken cancellationToken) =>
        (await CosmosItems.TryReadAsync<InvoiceDocument>(Store, container, invoiceId, accountId, "read invoice", cancellationToken))?.Resource.Invoice;

    public async Task<IReadOnlyList<Invoice>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var invoices = new List<Invoice>();
        using var feed = container.GetItemQueryIterator<InvoiceDocument>(
            new QueryDefinition("SELECT * FROM c"), requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(accountId) });
        while (feed.HasMoreResults)
        {
            invoices.AddRange((await CosmosFaults.RunAsync(Store, "list invoices", () => feed.ReadNextAsync(cancellationToken), cancellationToken)).Select(d => d.Invoice));
        }

        return invoices.OrderByDescending(i => i.Period, StringComparer.Ordinal).ToList();
    }
}
