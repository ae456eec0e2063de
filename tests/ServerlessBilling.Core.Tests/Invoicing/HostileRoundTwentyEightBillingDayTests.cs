using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round twenty-eight of the hostile review: after a new billing day, the period the settings give a call that no totals
/// of the account hold (its own period had none) is drawn on the new calendar, and may overlap the periods the account
/// ran. Totals made with such bounds held calls of other periods, or took the mode of a day of another part: a post-paid
/// call went on a statement (never invoiced), a pre-paid call on an invoice (paid from the balance and invoiced).
/// </summary>
public sealed class HostileRoundTwentyEightBillingDayTests
{
    private const string France = "+33612345678"; // 0.15/min 1/1

    [Fact]
    public async Task Late_usage_of_a_month_without_usage_is_hosted_in_no_time_of_the_running_period()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 9, 5, 10, 0, 0, TimeSpan.Zero));
        var prepaid = Fixtures.Prepaid() with { BillingDay = 3, TimeZone = "UTC" };
        var account = await h.OpenAsync("r28", prepaid, 100m);
        await h.IngestAsync(account, (France, "2026-09-04T10:00:00Z", 60));
        await At(h, 2026, 10, 4).RunAsync(null); // September's statement; October (3 October – 3 November) has no usage

        // From the 4th of November the billing day is the 15th: the running period is 3 – 15 November.
        Assert.Null((await At(h, 2026, 11, 4).Core.Admin.UpsertAsync(account, prepaid with { BillingDay = 15 }, 0m, default)).Error);

        // A late CDR of September is hosted by October's totals, which the new billing day would draw 15 October – 15 November.
        await At(h, 2026, 11, 5).IngestAsync(account, (France, "2026-09-20T10:00:00Z", 60));
        var postpaid = prepaid with { BillingDay = 15, Mode = AccountMode.Postpaid, CreditLimit = 1_000m };
        Assert.Null((await At(h, 2026, 11, 8).Core.Admin.UpsertAsync(account, postpaid, 0m, default)).Error);

        // The CDR of a post-paid call of 14 November comes after the period rolled on.
        await At(h, 2026, 11, 16).IngestAsync(account, (France, "2026-11-14T10:00:00Z", 600));
        await At(h, 2026, 12, 16).RunAsync(null);

        var invoice = await h.InvoiceAsync(account, "2026-11.02");
        Assert.Equal(InvoiceKind.Invoice, invoice.Kind);
        Assert.Equal([new InvoiceLine("France", 1, 600, 1.50m)], invoice.Lines);
        var october = await h.InvoiceAsync(account, "2026-10");
        Assert.Equal(InvoiceKind.Statement, october.Kind);
        Assert.Empty(october.Lines);
        Assert.Equal(("2026-09", 0.15m), (Assert.Single(october.LateUsage).Period, october.LateUsage[0].Subtotal));
        Assert.True(october.PeriodEnd <= new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero), $"October's statement ends {october.PeriodEnd:O}, in November's period");
    }

    [Fact]
    public async Task A_call_of_a_period_without_totals_takes_the_mode_it_ran_under_not_that_of_an_earlier_part()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 10, 30, 10, 0, 0, TimeSpan.Zero));
        var postpaid = Fixtures.Postpaid(1_000m, hard: false) with { BillingDay = 29, TimeZone = "UTC" };
        var prepaid = postpaid with { Mode = AccountMode.Prepaid };
        var account = await h.OpenAsync("r28", postpaid, 100m);

        // 2026-10 (29 October – 29 November): post-paid, pre-paid from the 13th; 2026-11 runs pre-paid, no call charged.
        await At(h, 2026, 11, 2).IngestAsync(account, (France, "2026-11-01T10:00:00Z", 60));
        Assert.Null((await At(h, 2026, 11, 13).Core.Admin.UpsertAsync(account, prepaid, 0m, default)).Error);
        await At(h, 2026, 11, 14).IngestAsync(account, (France, "2026-11-14T09:00:00Z", 60));
        await At(h, 2026, 11, 30).RunAsync(null);

        // From 2 December the billing day is the 5th: 2026-11 ends on 5 December, 2026-12 follows.
        Assert.Null((await At(h, 2026, 12, 2).Core.Admin.UpsertAsync(account, prepaid with { BillingDay = 5 }, 0m, default)).Error);

        // The CDR of a pre-paid call of 30 November: the new billing day draws its period 5 November – 5 December.
        await At(h, 2026, 12, 6).IngestAsync(account, (France, "2026-11-30T10:00:00Z", 600));
        await h.RunAsync(null);

        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(InvoiceKind.Statement, november.Kind);
        Assert.Equal([new InvoiceLine("France", 1, 600, 1.50m)], november.Lines);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), november.PeriodStart);
    }

    [Fact]
    public async Task A_call_of_the_month_before_is_not_counted_in_the_running_period_the_new_billing_day_gives_its_label()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 10, 25, 10, 0, 0, TimeSpan.Zero));
        var settings = Fixtures.Postpaid(1_000m, hard: false) with { BillingDay = 22, TimeZone = "UTC" };
        var account = await h.OpenAsync("r28", settings, 0m);

        // 2026-10 (22 October – 22 November) has no usage; from the 24th the billing day is the 12th.
        Assert.Null((await At(h, 2026, 11, 24).Core.Admin.UpsertAsync(account, settings with { BillingDay = 12 }, 0m, default)).Error);
        await h.IngestAsync(account, (France, "2026-11-13T10:00:00Z", 60), (France, "2026-11-23T10:00:00Z", 120));
        await At(h, 2026, 12, 13).RunAsync(null);

        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), november.PeriodStart);
        Assert.Equal([new InvoiceLine("France", 1, 120, 0.30m)], november.Lines);
        var october = await h.InvoiceAsync(account, "2026-10");
        Assert.Equal([new InvoiceLine("France", 1, 60, 0.15m)], october.Lines);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero), october.PeriodEnd);
    }

    [Fact]
    public async Task The_document_hosting_late_usage_takes_no_time_of_an_invoiced_period_a_new_billing_day_extended()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 9, 25, 10, 0, 0, TimeSpan.Zero));
        var settings = Fixtures.Postpaid(1_000m, hard: false) with { BillingDay = 31, TimeZone = "UTC" };
        var account = await h.OpenAsync("r28", settings, 0m);

        // From the 25th the billing day is the 2nd: 2026-08 (from 31 August) ends on 2 October; it is invoiced on the 3rd.
        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings with { BillingDay = 2 }, 0m, default)).Error);
        await h.IngestAsync(account, (France, "2026-09-20T10:00:00Z", 60));
        await At(h, 2026, 10, 3).RunAsync(null);
        Assert.Equal(new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero), (await h.InvoiceAsync(account, "2026-08")).PeriodEnd);

        // Late CDRs of 2026-08: the first is hosted by 2026-09 (the month after the last invoiced one), the second comes after.
        await At(h, 2026, 10, 4).IngestAsync(account, (France, "2026-09-10T10:00:00Z", 60));
        await At(h, 2026, 10, 5).IngestAsync(account, (France, "2026-09-15T10:00:00Z", 60));
        await At(h, 2026, 11, 3).RunAsync(null);

        var host = await h.InvoiceAsync(account, "2026-09");
        Assert.Empty(host.Lines);
        var late = Assert.Single(host.LateUsage);
        Assert.Equal(("2026-08", 2, 0.30m), (late.Period, late.Lines.Sum(l => l.Calls), late.Subtotal));
        Assert.True(host.PeriodStart >= new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero), $"2026-09 starts {host.PeriodStart:O}, within the invoiced 2026-08");
    }

    private static InvoicingHarness At(InvoicingHarness h, int year, int month, int day)
    {
        h.Core.Clock.SetUtcNow(new DateTimeOffset(year, month, day, 6, 0, 0, TimeSpan.Zero));
        return h;
    }
}
