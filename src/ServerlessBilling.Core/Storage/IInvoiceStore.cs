using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Core.Storage;

/// <summary>Issued invoices and statements, partition by account. An invoice is created once and never changed.</summary>
public interface IInvoiceStore
{
    /// <summary>Creates the invoice; false when one with that id exists already (it was issued before).</summary>
    Task<bool> TryCreateAsync(Invoice invoice, CancellationToken cancellationToken);

    Task<Invoice?> GetAsync(string accountId, string invoiceId, CancellationToken cancellationToken);

    /// <summary>The account's invoices and statements, newest period first.</summary>
    Task<IReadOnlyList<Invoice>> ListAsync(string accountId, CancellationToken cancellationToken);
}
