using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Core.Invoicing;

/// <summary>
/// Reserves, confirms and gives back numbers on the counter documents (the scheme is explained on
/// <see cref="InvoiceCounter"/>). Each change is read, decide, ETag-conditional write, again on a conflict; writers
/// in this process take turns so that a parallel run does not contend with itself, and the ETag arbitrates
/// between processes.
/// </summary>
public sealed class InvoiceNumbering(IInvoiceCounterStore store)
{
    private const int MaxAttempts = 200;
    private readonly SemaphoreSlim _turn = new(1, 1);

    public static int YearOf(DateTimeOffset issuedAt) => issuedAt.UtcDateTime.Year;

    /// <summary>
    /// The number of <paramref name="invoiceId"/>, or null when <paramref name="isIssued"/> says it exists already.
    /// The check runs after the counter is read and the reservation is written only if the counter is unchanged:
    /// a run that confirmed this id in between changed the counter, so the check is made again and sees its
    /// invoice. Without that order a slow run could number an invoice another run has just issued.
    /// A number reserved for the id on last year's counter and still pending (a run stopped before the year turned,
    /// and the run finishing it failed on that account) is its number: a new one from this year's counter would leave
    /// that one to be given back to a counter that hands out no more numbers, a gap in last year's series for good.
    /// </summary>
    public async Task<NumberReservation?> ReserveAsync(
        string series, string invoiceId, DateTimeOffset issuedAt, Func<CancellationToken, Task<bool>> isIssued, CancellationToken cancellationToken) =>
        (await ReadAsync(series, YearOf(issuedAt) - 1, cancellationToken)).Find(invoiceId)
        ?? await UpdateAsync<NumberReservation?>(
            series,
            YearOf(issuedAt),
            async counter =>
            {
                if (counter.Find(invoiceId) is { } known)
                {
                    return (counter, known);
                }

                return await isIssued(cancellationToken) ? (counter, null) : counter.Reserve(invoiceId, issuedAt);
            },
            cancellationToken);

    public Task CompleteAsync(string series, NumberReservation reservation, CancellationToken cancellationToken) =>
        UpdateAsync(series, YearOf(reservation.IssuedAt), counter => ValueTask.FromResult((counter.Complete(reservation.InvoiceId, reservation.Sequence), true)), cancellationToken);

    public Task ReleaseAsync(string series, NumberReservation reservation, CancellationToken cancellationToken) =>
        UpdateAsync(series, YearOf(reservation.IssuedAt), counter => ValueTask.FromResult((counter.Release(reservation.InvoiceId, reservation.Sequence), true)), cancellationToken);

    /// <summary>The counter as stored (a new one when the year has none yet).</summary>
    public async Task<InvoiceCounter> ReadAsync(string series, int year, CancellationToken cancellationToken) =>
        (await store.GetAsync(InvoiceCounter.IdFor(series, year), cancellationToken))?.Value ?? new InvoiceCounter { Series = series, Year = year };

    private async Task<T> UpdateAsync<T>(string series, int year, Func<InvoiceCounter, ValueTask<(InvoiceCounter Next, T Result)>> change, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var current = await store.GetAsync(InvoiceCounter.IdFor(series, year), cancellationToken);
                var counter = current?.Value ?? new InvoiceCounter { Series = series, Year = year };
                var (next, result) = await change(counter);
                if (ReferenceEquals(next, counter))
                {
                    return result;
                }

                var written = current is null
                    ? await store.TryCreateAsync(next, cancellationToken)
                    : await store.TryReplaceAsync(next, current.ETag, cancellationToken);
                if (written is not null)
                {
                    return result;
                }

                if (attempt >= MaxAttempts)
                {
                    throw new StoreUnavailableException($"the counter {counter.Id} stayed contended after {attempt} attempts") { Store = "invoice counter store" };
                }

                // Another process wrote the counter: jitter, then read it again.
                await Task.Delay(Random.Shared.Next(0, Math.Min(attempt, 20) + 1), cancellationToken);
            }
        }
        finally
        {
            _turn.Release();
        }
    }
}
