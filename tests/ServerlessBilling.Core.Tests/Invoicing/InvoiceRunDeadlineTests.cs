using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>The invoice run over a store that stops answering mid-run: unavailable at the step's deadline, not a hang.</summary>
public sealed class InvoiceRunDeadlineTests
{
    private const string Called = "+33612345678";

    [Fact]
    public async Task A_run_whose_account_read_freezes_ends_unavailable_at_the_step_deadline()
    {
        // The run had no deadline: an account read that never answered held the run (and the operator's POST
        // /api/invoices/run, or the timer's function) for as long as the store stayed frozen.
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("frozen-run", Fixtures.Postpaid(1_000m, hard: false));
        await h.IngestAsync(account, (Called, "2026-11-20T10:00:00Z", 60));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));
        var frozen = new StallingAccountStore(h.Stores.Accounts);
        var run = new InvoiceRunService(
            frozen, new AccountUpdater(frozen, new AccountWriteOptions()), h.Directory, h.Stores.Invoices, h.Stores.Counters, h.Documents, h.Core.Clock);

        frozen.Freeze();
        var pending = run.RunAsync(null, default);
        await frozen.Stalled.WaitAsync(TimeSpan.FromSeconds(10));
        // The default step deadline, once: the step's deadline started before its read, so one move of the clock answers it.
        h.Core.Clock.Advance(new CreditControlOptions().AdminDeadline + TimeSpan.FromMilliseconds(1));

        var unavailable = await Assert.ThrowsAsync<StoreUnavailableException>(() => pending.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains($"account '{account}'", unavailable.Message, StringComparison.Ordinal);
        frozen.Thaw();

        // Nothing was issued half-way that the next run cannot finish: it issues the invoice once.
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);
    }
}
