using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Core.Storage;

/// <summary>The number counters, one document per series and issuing year (<see cref="InvoiceCounter.Id"/>), written only with an ETag condition.</summary>
public interface IInvoiceCounterStore
{
    Task<Versioned<InvoiceCounter>?> GetAsync(string counterId, CancellationToken cancellationToken);

    /// <summary>Creates the counter; null when it exists already.</summary>
    Task<string?> TryCreateAsync(InvoiceCounter counter, CancellationToken cancellationToken);

    /// <summary>Replaces the counter when its ETag is still <paramref name="ifMatch"/>; null when it is not.</summary>
    Task<string?> TryReplaceAsync(InvoiceCounter counter, string ifMatch, CancellationToken cancellationToken);
}
