using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round twenty-eight of the hostile review, on the money path from a charge to its document when the billing day
/// changed after a change of mode. A new billing day tiles the calendar differently: the period the new settings give
/// a call of the period before can overlap the running one and carry its label. A late call of a closed pre-paid part
/// then opened the running post-paid period's totals with that period's start, a pre-paid day, so the whole post-paid
/// period was issued as a statement (nothing due) and its calls were never invoiced; and a late post-paid call could
/// replace those totals with empty ones, dropping the charges they held from every document.
/// </summary>
public sealed class HostileRoundTwentyEightInvoicingTests
{
    private const string France = "+33612345678"; // 0.15/min 1/1

    [Fact]
    public async Task A_late_prepaid_call_after_a_new_billing_day_leaves_the_running_postpaid_period_an_invoice()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 10, 25, 10, 0, 0, TimeSpan.Zero));
        var prepaid = Fixtures.Prepaid() with { BillingDay = 22 };
        var account = await h.OpenAsync("r28", prepaid, 100m);

        // 2026-10 runs from 22 October to 22 November: pre-paid, then post-paid from the 20th.
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 14, 10, 0, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-11-13T10:00:00Z", 60));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var postpaid = prepaid with { Mode = AccountMode.Postpaid, CreditLimit = 1_000m };
        Assert.Null((await h.Core.Admin.UpsertAsync(account, postpaid, 0m, default)).Error);

        // The run after it ended issues its pre-paid part's statement; then the billing day becomes the 12th.
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        Assert.Equal(InvoiceKind.Statement, (await h.InvoiceAsync(account, "2026-10")).Kind);
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        Assert.Null((await h.Core.Admin.UpsertAsync(account, postpaid with { BillingDay = 12 }, 0m, default)).Error);

        // A late CDR of the pre-paid part (13 November lies in 12 November – 12 December by the new billing day), then a
        // post-paid call of the running period.
        await h.IngestAsync(account, (France, "2026-11-13T11:00:00Z", 60));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-11-25T10:00:00Z", 600));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 13, 6, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);

        // The post-paid period is invoiced, its call due with tax; the late pre-paid call is not on it.
        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(InvoiceKind.Invoice, november.Kind);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), november.PeriodStart);
        Assert.Equal([new InvoiceLine("France", 1, 600, 1.50m)], november.Lines);
        Assert.Empty(november.LateUsage);
        Assert.Equal((1.50m, 0.30m, 1.80m), (november.Subtotal, november.Tax, november.Total));

        // Every charge is on a document or in an open period's totals: the ledger and the totals agree.
        var state = await h.Core.StateAsync(account);
        Assert.Equal(state.Committed, state.Totals.Values.Sum(t => t.UsageAmount));
        Assert.Equal(0.15m, state.Totals.Values.Sum(t => t.Late.Values.Sum(l => l.Total.Amount)));
    }

    [Fact]
    public async Task A_late_postpaid_call_after_a_new_billing_day_drops_no_charge_of_the_running_period()
    {
        var (h, account) = await ThreePartsThenANewBillingDayAsync();

        // A late CDR of the first (post-paid) part.
        await h.IngestAsync(account, (France, "2026-10-30T11:00:00Z", 120));

        var state = await h.Core.StateAsync(account);
        Assert.Equal(state.Committed, state.Totals.Values.Sum(t => t.UsageAmount));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 13, 6, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(InvoiceKind.Invoice, november.Kind);
        Assert.Equal([new InvoiceLine("France", 1, 600, 1.50m)], november.Lines);
        var late = Assert.Single(november.LateUsage);
        Assert.Equal(("2026-10", 0.30m), (late.Period, late.Subtotal));
        Assert.Equal(1.80m, november.Subtotal);
    }

    /// <summary>
    /// A change of mode starts a part; when no call of that part was charged before the period ended, a CDR of one that
    /// came then went to the period the settings give, whose totals are the first part's: a post-paid call was put on the
    /// pre-paid statement (shown as paid from the balance) and on no invoice.
    /// </summary>
    [Fact]
    public async Task A_cdr_of_a_part_in_which_nothing_was_charged_yet_goes_on_that_parts_document()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 11, 5, 10, 0, 0, TimeSpan.Zero));
        var prepaid = Fixtures.Prepaid();
        var account = await h.OpenAsync("r28", prepaid, 100m);
        await h.IngestAsync(account, (France, "2026-11-05T09:00:00Z", 60));
        await SwitchAsync(h, account, prepaid with { Mode = AccountMode.Postpaid, CreditLimit = 1_000m }, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));

        // The CDR of a post-paid call of 25 November comes after the period ended, before the run.
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 30, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-11-25T10:00:00Z", 600));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);

        var statement = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(InvoiceKind.Statement, statement.Kind);
        Assert.Equal([new InvoiceLine("France", 1, 60, 0.15m)], statement.Lines);
        var invoice = await h.InvoiceAsync(account, "2026-11.02");
        Assert.Equal(InvoiceKind.Invoice, invoice.Kind);
        Assert.Equal([new InvoiceLine("France", 1, 600, 1.50m)], invoice.Lines);
        Assert.Equal((1.50m, 0.30m, 1.80m), (invoice.Subtotal, invoice.Tax, invoice.Total));
    }

    /// <summary>
    /// A document as the code before this round wrote it: the running post-paid period's totals opened by a late pre-paid
    /// call with the start of the period the new billing day gives it, a day of the pre-paid part. A late post-paid call
    /// of a closed period found no open document of its mode among the totals and made the running period's anew, empty,
    /// in their place: the charges they held left every document.
    /// </summary>
    [Fact]
    public async Task A_late_call_never_replaces_the_running_periods_totals_of_a_document_written_before()
    {
        var (h, account) = await ThreePartsThenANewBillingDayAsync();
        var state = await h.Core.StateAsync(account);
        var running = state.Totals["2026-11"];
        var stale = state with { Totals = state.Totals.SetItem("2026-11", running with { Start = new DateTimeOffset(2026, 11, 12, 0, 0, 0, TimeSpan.Zero) }) };

        var now = h.Core.Clock.GetUtcNow();
        var after = stale.Commit(new ChargeLine(0.30m, 120, 1, "France", new DateTimeOffset(2026, 10, 30, 11, 0, 0, TimeSpan.Zero)), now);

        Assert.Equal(running.Total, after.Totals["2026-11"].Total);
        Assert.Equal(after.Committed, after.Totals.Values.Sum(t => t.UsageAmount));
    }

    /// <summary>
    /// 2026-10 (22 October – 22 November) post-paid, pre-paid from the 9th, post-paid again from the 20th, a call in each
    /// part, all issued; then the billing day becomes the 12th, a late CDR of the pre-paid part comes, and a call of the
    /// running period (from 22 November).
    /// </summary>
    private static async Task<(InvoicingHarness H, string Account)> ThreePartsThenANewBillingDayAsync()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 10, 25, 10, 0, 0, TimeSpan.Zero));
        var postpaid = Fixtures.Postpaid(1_000m, hard: false) with { BillingDay = 22 };
        var prepaid = postpaid with { Mode = AccountMode.Prepaid };
        var account = await h.OpenAsync("r28", postpaid, 100m);

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 10, 31, 10, 0, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-10-30T10:00:00Z", 60));
        await SwitchAsync(h, account, prepaid, new DateTimeOffset(2026, 11, 9, 12, 0, 0, TimeSpan.Zero));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 14, 10, 0, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-11-13T10:00:00Z", 60));
        await SwitchAsync(h, account, postpaid, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-11-21T10:00:00Z", 60));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        await SwitchAsync(h, account, postpaid with { BillingDay = 12 }, new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));

        await h.IngestAsync(account, (France, "2026-11-13T11:00:00Z", 60));
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        await h.IngestAsync(account, (France, "2026-11-25T10:00:00Z", 600));
        return (h, account);
    }

    private static async Task SwitchAsync(InvoicingHarness h, string account, AccountSettings settings, DateTimeOffset at)
    {
        h.Core.Clock.SetUtcNow(at);
        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings, 0m, default)).Error);
    }
}
