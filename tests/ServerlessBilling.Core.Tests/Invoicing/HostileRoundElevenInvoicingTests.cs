using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round eleven of the hostile review: an account whose billing day changes in the middle of a period. The change
/// moves the end of the running period (<see cref="PeriodBook.Rebill"/>), so the totals of that period carry the
/// bounds it had when they were first charged; the invoice run must not take those for the period's end.
/// </summary>
public sealed class HostileRoundElevenInvoicingTests
{
    private static DateTimeOffset Utc(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_daily_run_leaves_a_period_that_a_new_billing_day_extended_open_until_it_ends()
    {
        // Billing day 15: on 10 November the running period is 2026-10, 15 October to 15 November. The operator moves the
        // billing day to 1: that period now runs to 1 December (docs/api.md: the invoice run closes a period once it
        // has ended), and the next one is December's.
        var h = InvoicingHarness.InMemory(Utc(11, 10));
        var settings = Fixtures.Postpaid(1_000m, hard: false) with { BillingDay = 15 };
        var account = await h.OpenAsync("rebill", settings);
        await h.IngestAsync(account, ("+33145678901", "2026-11-05T10:00:00Z", 60)); // 0.15, period 2026-10
        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings with { BillingDay = 1 }, 0m, default)).Error);
        Assert.Equal(("2026-10", Utc(12, 1, 0)), ((await h.Core.StateAsync(account)).PeriodLabel, (await h.Core.StateAsync(account)).PeriodEnd));

        // 16 November: the daily run must leave the running period alone.
        h.Core.Clock.SetUtcNow(Utc(11, 16, 6));
        var early = await h.RunAsync(null);
        Assert.Equal(0, early.Invoices);
        Assert.Null((await h.Core.StateAsync(account)).ClosedThrough);

        // A call of 20 November is usage of that same period, not late usage of a later invoice.
        await h.IngestAsync(account, ("+33145678901", "2026-11-20T10:00:00Z", 120)); // 0.30
        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var due = await h.RunAsync(null);

        Assert.Equal(1, due.Invoices);
        var invoice = await h.InvoiceAsync(account, "2026-10");
        var line = Assert.Single(invoice.Lines);
        Assert.Equal(("France", 2, 0.45m), (line.Destination, line.Calls, line.Amount));
        Assert.Empty(invoice.LateUsage);
        Assert.Equal(0.45m, invoice.Subtotal);

        // And it says which period it bills: from 15 October (midnight BST) to 1 December, the call of 20 November inside.
        Assert.Equal((new DateTimeOffset(2026, 10, 14, 23, 0, 0, TimeSpan.Zero), Utc(12, 1, 0)), (invoice.PeriodStart, invoice.PeriodEnd));
    }

    [Fact]
    public async Task A_run_for_a_period_label_leaves_the_account_whose_period_of_that_label_has_not_ended()
    {
        // Billing day 1, moved to 15 on 10 November after a call of 5 November: the period 2026-11 (1 November) now ends on
        // 15 November, and the next one, from 15 November, is labelled 2026-11 too (its local start is in November); the
        // account's 2026-11 runs to 15 December. A run for "2026-11" on 2 December must leave it for a later run.
        var h = InvoicingHarness.InMemory(Utc(11, 10));
        var settings = Fixtures.Postpaid(1_000m, hard: false);
        var account = await h.OpenAsync("rebill-label", settings);
        await h.IngestAsync(account, ("+33145678901", "2026-11-05T10:00:00Z", 60)); // 0.15
        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings with { BillingDay = 15 }, 0m, default)).Error);

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        await h.IngestAsync(account, ("+33145678901", "2026-12-01T10:00:00Z", 120)); // 0.30, still the account's 2026-11
        var early = await h.RunAsync("2026-11");
        Assert.Equal(0, early.Invoices);
        Assert.Null((await h.Core.StateAsync(account)).ClosedThrough);

        // Once that period has ended, its invoice bills both calls as its own usage.
        h.Core.Clock.SetUtcNow(Utc(12, 16, 6));
        Assert.Equal(1, (await h.RunAsync("2026-11")).Invoices);
        var invoice = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(("France", 2, 0.45m), (invoice.Lines[0].Destination, invoice.Lines[0].Calls, invoice.Lines[0].Amount));
        Assert.Empty(invoice.LateUsage);
        Assert.Equal((Utc(11, 1, 0), Utc(12, 15, 0)), (invoice.PeriodStart, invoice.PeriodEnd));
    }
}
