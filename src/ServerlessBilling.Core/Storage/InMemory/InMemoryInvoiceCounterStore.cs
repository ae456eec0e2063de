using System.Collections.Concurrent;
using System.Globalization;
using ServerlessBilling.Core.Invoicing;

namespace ServerlessBilling.Core.Storage.InMemory;

public sealed class InMemoryInvoiceCounterStore : IInvoiceCounterStore
{
    private readonly ConcurrentDictionary<string, Versioned<InvoiceCounter>> _counters = new(StringComparer.Ordinal);
    private long _version;

    public Task<Versioned<InvoiceCounter>?> GetAsync(string counterId, CancellationToken cancellationToken) =>
        Task.FromResult(_counters.GetValueOrDefault(counterId));

    public Task<string?> TryCreateAsync(InvoiceCounter counter, CancellationToken cancellationToken)
    {
        var created = new Versioned<InvoiceCounter>(counter, NextETag());
        return Task.FromResult(_counters.TryAdd(counter.Id, created) ? created.ETag : null);
    }

    public Task<string?> TryReplaceAsync(InvoiceCounter counter, string ifMatch, CancellationToken cancellationToken)
    {
        if (!_counters.TryGetValue(counter.Id, out var current) || current.ETag != ifMatch)
        {
            return Task.FromResult<string?>(null);
        }

        var replacement = new Versioned<InvoiceCounter>(counter, NextETag());
        return Task.FromResult(_counters.TryUpdate(counter.Id, replacement, current) ? replacement.ETag : null);
    }

    private string NextETag() => "\"" + Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture) + "\"";
}
