using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round twenty-four of the hostile review, on invoicing across the turn of a year. A run stopped on 31 December leaves
/// numbers pending on that year's counter; the first run of the new year finishes them, but one it cannot finish (a store
/// fault on that account) was numbered again by the same run's account pass, from the new year's counter. The next run
/// then found the invoice issued under the new number and gave the old one back to last year's counter, which takes no
/// more numbers: a gap in last year's series for good.
/// </summary>
public sealed class HostileRoundTwentyFourInvoicingTests
{
    private const string France = "+33612345678"; // 0.15/min 1/1

    [Fact]
    public async Task A_number_pending_from_last_year_that_a_fault_kept_pending_is_the_invoices_number_not_a_gap()
    {
        var accounts = new FailingAccountStore(new InMemoryAccountStore());
        var stores = InvoicingStores.InMemory() with { Accounts = accounts };
        var h = new InvoicingHarness(stores, new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
        var first = await h.OpenAsync("turn-a", Fixtures.Postpaid(1_000m, hard: false));
        var second = await h.OpenAsync("turn-b", Fixtures.Postpaid(1_000m, hard: false));
        await h.IngestAsync(first, (France, "2026-11-10T10:00:00Z", 60));
        await h.IngestAsync(second, (France, "2026-11-11T10:00:00Z", 60));

        // The run of 31 December stopped after reserving both numbers, before closing either period.
        var lastDay = new DateTimeOffset(2026, 12, 31, 0, 30, 0, TimeSpan.Zero);
        var numbering = new InvoiceNumbering(stores.Counters);
        var firstNumber = (await numbering.ReserveAsync(InvoiceIds.InvoiceSeries, InvoiceIds.For(first, "2026-11"), lastDay, _ => Task.FromResult(false), default))!;
        var secondNumber = (await numbering.ReserveAsync(InvoiceIds.InvoiceSeries, InvoiceIds.For(second, "2026-11"), lastDay, _ => Task.FromResult(false), default))!;

        // 1 January: the first account's document cannot be written once (a store fault), so its pending number stays pending.
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 30, 0, TimeSpan.Zero));
        accounts.Fail(first, once: true);
        var run = (await h.NewRunService().RunAsync(null, default)).Answer!;
        Assert.False(accounts.Armed);

        // 2 January: everything answers.
        h.Core.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await h.NewRunService().RunAsync(null, default)).Answer!.Failed);

        Assert.Equal(secondNumber.Number, (await h.InvoiceAsync(second, "2026-11")).InvoiceNumber);
        Assert.Equal(firstNumber.Number, (await h.InvoiceAsync(first, "2026-11")).InvoiceNumber);
        var lastYear = (await stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))!.Value;
        Assert.Equal((secondNumber.Sequence + 1, 0, 0), (lastYear.Next, lastYear.Pending.Count, lastYear.Spare.Count));
        var thisYear = (await stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2027), default))?.Value;
        Assert.Equal((1L, 0), (thisYear?.Next ?? 1, thisYear?.Pending.Count ?? 0));
        Assert.True(run.Invoices + run.Recovered >= 1);
    }
}
