using System.Text;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Invoicing.Documents;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round seventeen of the hostile review, on invoicing: what an unanswered call under credit control puts on an invoice;
/// the tax rate an invoice states; a late call of a period not yet invoiced when the billing day moved.
/// </summary>
public sealed class HostileRoundSeventeenInvoicingTests
{
    private static DateTimeOffset Utc(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_unanswered_call_under_credit_control_issues_no_invoice_as_its_cdr_alone_issues_none()
    {
        // A switch terminates a call that was never answered with usedSeconds 0. Terminate counted it as a call whatever
        // it billed, so the period "had usage": the run numbered and issued an invoice of 0.00 with a line "1 call, 0 s",
        // where the same call's CDR alone (NO_ANSWER) counts no call and issues nothing.
        var h = InvoicingHarness.InMemory(Utc(11, 20));
        var settings = Fixtures.Postpaid(1_000m, hard: false);
        var viaSession = await h.OpenAsync("session", settings);
        var viaCdr = await h.OpenAsync("cdr", settings);
        Assert.Equal(ResultCode.Success, (await h.Core.AuthorizeAsync(viaSession, "unanswered-1")).Answer!.ResultCode);
        Assert.Equal(0m, (await h.Core.TerminateAsync("unanswered-1", 1, 0)).Answer!.Charge);
        var ingested = await h.Core.IngestCsvAsync(
            $"{InvoicingHarness.Header}\nunanswered-cdr,{viaCdr},+441234567,+442071234567,2026-11-20T10:00:00Z,0,NO_ANSWER,\n");
        Assert.Equal(1, ingested.Accepted);

        var sessionTotals = (await h.Core.StateAsync(viaSession)).Totals.Values.Single().Total;
        var cdrTotals = (await h.Core.StateAsync(viaCdr)).Totals.Values.Single().Total;
        Assert.Equal(cdrTotals, sessionTotals);
        Assert.Equal(0, sessionTotals.Calls);

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var run = await h.RunAsync(null);
        Assert.Equal((0, 2), (run.Invoices, run.NothingDue));
        Assert.Null(await h.Stores.Invoices.GetAsync(viaSession, InvoiceIds.For(viaSession, "2026-11"), default));
    }

    [Fact]
    public async Task A_call_whose_use_was_reported_still_counts_once_on_the_invoice()
    {
        // The other side of the rule above: an answered call counts once, at terminate, however its seconds were reported.
        var h = InvoicingHarness.InMemory(Utc(11, 20));
        var account = await h.OpenAsync("answered", Fixtures.Postpaid(1_000m, hard: false));
        await h.Core.AuthorizeAsync(account, "answered-1");
        await h.Core.InterimAsync("answered-1", 1, 30);
        await h.Core.TerminateAsync("answered-1", 2, 0);

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);
        var line = Assert.Single((await h.InvoiceAsync(account, "2026-11")).Lines);
        Assert.Equal((1, 30L, 0.35m), (line.Calls, line.BilledSeconds, line.Amount)); // London: 0.05 + 0.60 × 30 / 60
    }

    [Theory]
    [InlineData("0.08875", "VAT 8.875%", "0.89")]   // New York City's sales tax: 10.00 × 0.08875 = 0.8875
    [InlineData("0.20", "VAT 20%", "2.00")]
    [InlineData("0.123456789", "VAT 12.3456789%", "1.23")]
    public async Task The_document_states_the_tax_rate_the_tax_was_computed_with(string rate, string label, string tax)
    {
        // The rate was printed with at most 2 decimals of a percent: a tax of 8.875% read "VAT 8.88%" on the invoice and
        // its PDF, a rate the tax on it was not computed with.
        var h = InvoicingHarness.InMemory(Utc(11, 20));
        var taxRate = decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture);
        var account = await h.OpenAsync("tax", Fixtures.Postpaid(1_000m, hard: false) with { Tax = new TaxSettings(TaxTreatment.Standard, taxRate) });
        await h.IngestAsync(account, ("+441234567", "2026-11-05T10:00:00Z", 600)); // 10 minutes at 1.00/min

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        await h.RunAsync(null);
        var invoice = await h.InvoiceAsync(account, "2026-11");

        Assert.Equal((10.00m, decimal.Parse(tax, System.Globalization.CultureInfo.InvariantCulture)), (invoice.Subtotal, invoice.Tax));
        Assert.Equal(label, InvoiceDocuments.TaxLabel(invoice));
        Assert.Contains($"<td>{label}</td>", Encoding.UTF8.GetString(InvoiceDocuments.Html(invoice)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_late_call_of_a_period_not_yet_invoiced_when_the_billing_day_moved_is_billed_with_that_period(bool callAfterMidnight)
    {
        // Billing day 1. At 00:10 on 1 December, before the daily run has invoiced November, the operator moves the billing
        // day to 15. November (1 November to 1 December) has ended and is not invoiced yet. Two faults:
        // - with no charge since midnight, the book still held November as its running period, and the new day stretched
        //   November to 15 December: its invoice would bill the calls of 1 to 15 December as November's;
        // - with one (the book had moved on to December), a late CDR of 10 November was placed by the new day in a new
        //   period "2026-10" (15 October to 15 November): an October invoice for a November call, beside the November
        //   invoice whose period holds that same day.
        var h = InvoicingHarness.InMemory(Utc(11, 20));
        var settings = Fixtures.Postpaid(1_000m, hard: false);
        var account = await h.OpenAsync("moved-day", settings);
        await h.IngestAsync(account, ("+33145678901", "2026-11-10T10:00:00Z", 60)); // 0.15
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 10, 0, TimeSpan.Zero));
        if (callAfterMidnight)
        {
            await h.IngestAsync(account, ("+33145678901", "2026-12-01T00:05:00Z", 60)); // 0.15, December's
        }

        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings with { BillingDay = 15 }, 0m, default)).Error);
        Assert.Equal(("2026-12", Utc(12, 15, 0)), ((await h.Core.StateAsync(account)).PeriodLabel, (await h.Core.StateAsync(account)).PeriodEnd));

        await h.IngestAsync(account, ("+33145678901", "2026-11-10T11:00:00Z", 120)); // 0.30, late from mediation
        var usage = await h.Core.Usage.ListAsync(account, DateTimeOffset.MinValue, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), 10, default);
        Assert.Equal(["2026-11", "2026-11"], usage.Select(u => u.Period));

        // November has ended: the next daily run invoices it (it waited for 15 December, the end of the period the new day
        // puts before the running one), and nothing else.
        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);
        h.Core.Clock.SetUtcNow(Utc(12, 16, 6));
        Assert.Equal(0, (await h.RunAsync(null)).Invoices); // December runs to 15 January now
        Assert.Null(await h.Stores.Invoices.GetAsync(account, InvoiceIds.For(account, "2026-10"), default));
        var invoice = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(("France", 2, 0.45m), (invoice.Lines[0].Destination, invoice.Lines[0].Calls, invoice.Lines[0].Amount));
        Assert.Equal((Utc(11, 1, 0), Utc(12, 1, 0)), (invoice.PeriodStart, invoice.PeriodEnd));
    }
}
