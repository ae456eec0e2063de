using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round eighteen of the hostile review, on invoicing: the period of the earliest call the platform accepts. A call at
/// 2000-01-01T00:00Z (the earliest start accepted) is still December 1999 in New York, and its period "1999-12" was a
/// label nothing could read: its invoice was issued but unreadable by id (400), and once it was issued every later charge
/// for that period (another CDR, the terminate of a session) threw on the way to late usage: a 500, a batch retried
/// whole for ever, a session that could never be terminated.
/// </summary>
public sealed class HostileRoundEighteenInvoicingTests
{
    private const string France = "+33612345678"; // 0.15/min 1/1

    private static AccountSettings NewYork => Fixtures.Postpaid(1_000m, hard: false) with { TimeZone = "America/New_York" };

    [Fact]
    public async Task A_call_at_the_earliest_start_accepted_west_of_utc_is_invoiced_in_december_1999_and_later_charges_for_it_are_late_usage()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("earliest", NewYork);
        await h.IngestAsync(account, (France, "2000-01-01T00:00:00Z", 100));

        Assert.True((await h.RunAsync(null)).Invoices >= 1);
        var invoice = await h.InvoiceAsync(account, "1999-12");
        Assert.True(InvoiceIds.TryParse(invoice.InvoiceId, out var owner, out var period));
        Assert.Equal((account, "1999-12"), (owner, period));
        Assert.Equal(0.25m, invoice.Subtotal);

        // The same period, after its invoice: a CDR and a session's terminate are late usage on the next open period.
        var late = await h.Core.IngestCsvAsync($"{InvoicingHarness.Header}\nlate-cdr,{account},+441234567,{France},2000-01-01T00:00:01Z,60,ANSWERED,\n");
        Assert.Equal(1, late.Accepted);
        var authorized = await h.Core.CreditControl.AuthorizeAsync(
            new AuthorizeRequest("earliest-session", account, "+441234567", France, new DateTimeOffset(2000, 1, 1, 0, 0, 2, TimeSpan.Zero), 60), default);
        Assert.Equal(ResultCode.Success, authorized.Answer!.ResultCode);
        var terminated = await h.Core.TerminateAsync("earliest-session", 1, 40);
        Assert.Equal(0.10m, terminated.Answer!.Charge);

        var state = await h.Core.StateAsync(account);
        Assert.Equal(-0.25m - 0.15m - 0.10m, state.Balance);
        var host = state.Totals[BillingPeriod.NextLabel(state.ClosedThrough!)];
        Assert.Equal(0.25m, host.Late["1999-12"].Total.Amount);
    }

    [Fact]
    public async Task The_invoice_run_takes_december_1999_and_nothing_earlier()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        Assert.Null((await h.NewRunService().RunAsync("1999-12", default)).Error);
        Assert.Contains("from 1999-12", (await h.NewRunService().RunAsync("1999-11", default)).Error!.Detail, StringComparison.Ordinal);
    }
}
