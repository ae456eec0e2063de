using ServerlessBilling.Core.Storage.InMemory;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// One account's fault holds back no other account's invoice, and an account whose store call ends in a cancellation the
/// run did not ask for (the TaskCanceledException of an HttpClient's timeout, a store's own cancelled request) is such a
/// fault. The run let every OperationCanceledException through as its own cancellation: the whole run failed at that
/// account (the timer's run, once a day), and every account not yet reached went without its invoice.
/// </summary>
public sealed class ForeignCancellationInvoicingTests
{
    private const string France = "+33612345678";

    [Fact]
    public async Task An_account_whose_write_is_cancelled_by_no_token_of_the_run_holds_back_no_other_accounts_invoice()
    {
        var accounts = new FailingAccountStore(new InMemoryAccountStore());
        var h = new InvoicingHarness(InvoicingStores.InMemory() with { Accounts = accounts }, new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));
        var cancelled = await h.OpenAsync("cancelled", Fixtures.Postpaid(1_000m, hard: false));
        var healthy = await h.OpenAsync("healthy", Fixtures.Postpaid(1_000m, hard: false));
        await h.IngestAsync(cancelled, (France, "2026-11-10T10:00:00Z", 60));
        await h.IngestAsync(healthy, (France, "2026-11-11T10:00:00Z", 60));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 2, 0, 30, 0, TimeSpan.Zero));
        accounts.Fail(cancelled, fault: new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout elapsing. (injected)"));
        var run = await h.NewRunService().RunAsync(null, default);

        Assert.Null(run.Error);
        Assert.Equal((1, 1), (run.Answer!.Invoices, run.Answer.Failed));
        Assert.Equal("2026-11", (await h.InvoiceAsync(healthy, "2026-11")).Period);

        // The next run, the store answering, issues the one held back with the number kept for it.
        accounts.Fail(null);
        var again = (await h.NewRunService().RunAsync(null, default)).Answer!;
        Assert.Equal((1, 0), (again.Invoices + again.Recovered, again.Failed));
        Assert.Equal("2026-11", (await h.InvoiceAsync(cancelled, "2026-11")).Period);
    }
}
