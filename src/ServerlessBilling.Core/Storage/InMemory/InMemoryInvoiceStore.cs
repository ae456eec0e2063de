using System.Collections.Concurrent;
using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryInvoiceStore : IInvoiceStore
{
    private readonly ConcurrentDictionary<(string Account, string InvoiceId), Invoice> _invoices = new();

    public Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken) =>
        Task.FromResult(_invoices.TryAdd((invoice.AccountId, invoice.InvoiceId), invoice));

    public Task<Invoice?> GetAsync(string accountId, string invoiceId, CancellationToken cancellationToken) =>
        Task.FromResult(_invoices.GetValueOrDefault((accountId, invoiceId)));

    public Task<IReadOnlyList<Invoice>> ListAsync(string accountId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Invoice>>(_invoices.Values
            .Where(i => i.AccountId == accountId)
            .OrderByDescending(i => i.Period, StringComparer.Ordinal)
            .ToList());

    public int Count => _invoices.Count;
}
