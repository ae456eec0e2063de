using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Tests.Invoicing;

public sealed class InvoiceNumberingTests
{
    [Fact]
    public async Task A_counter_that_stays_contended_is_a_fault_of_the_invoice_counter_store_by_name()
    {
        var numbering = new InvoiceNumbering(new AlwaysContendedCounters());

        var fault = await Assert.ThrowsAsync<StoreUnavailableException>(() => numbering.ReserveAsync(
            InvoiceIds.InvoiceSeries, "a.2026-10", new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero), _ => Task.FromResult(false), default));

        Assert.Equal("invoice counter store", fault.Store); // the 503 says which store, not "the account store"
        Assert.Contains("stayed contended", fault.Message, StringComparison.Ordinal);
    }

    /// <summary>Another writer always got there first: every conditional write is refused.</summary>
    private sealed class AlwaysContendedCounters : IInvoiceCounterStore
    {
        public Task<Versioned<InvoiceCounter>?> GetAsync(string counterId, CancellationToken cancellationToken) => Task.FromResult<Versioned<InvoiceCounter>?>(null);

        public Task<string?> TryCreateAsync(InvoiceCounter counter, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task<string?> TryReplaceAsync(InvoiceCounter counter, string ifMatch, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
    }
}
