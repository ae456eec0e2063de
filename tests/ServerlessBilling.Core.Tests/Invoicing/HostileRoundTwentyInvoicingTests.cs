using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Invoicing.Documents;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>Round twenty of the hostile review: the parts of a period that a change of mode makes.</summary>
public sealed class HostileRoundTwentyInvoicingTests
{
    private static readonly AccountSettings PrepaidSettings = Fixtures.Prepaid();

    private static readonly AccountSettings PostpaidSettings = Fixtures.Postpaid(1_000m, hard: false) with { Name = PrepaidSettings.Name };

    private static DateTimeOffset Utc(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static async Task ChangeModeAsync(InvoicingHarness h, string account, AccountSettings settings) =>
        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings, 0m, default)).Error);

    [Fact]
    public async Task A_part_closed_by_a_run_that_stopped_before_its_document_keeps_its_totals_until_the_next_run_issues_it()
    {
        // The document keeps the totals of three periods, and counted each part as a period: a month of three parts and the
        // next month's first charge were four, so that charge dropped the oldest closed part, whose statement an interrupted
        // run had numbered and not yet written. The run that finished it found no totals and issued an empty statement.
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var account = await h.OpenAsync("trimmed", PrepaidSettings, opening: 100m);
        await h.IngestAsync(account, ("+441234567", "2026-11-05T09:00:00Z", 60)); // 1.00, pre-paid
        h.Core.Clock.SetUtcNow(Utc(11, 10));
        await ChangeModeAsync(h, account, PostpaidSettings);
        await h.IngestAsync(account, ("+441234567", "2026-11-12T09:00:00Z", 120)); // 2.00, post-paid
        h.Core.Clock.SetUtcNow(Utc(11, 20));
        await ChangeModeAsync(h, account, PrepaidSettings);
        await h.IngestAsync(account, ("+441234567", "2026-11-22T09:00:00Z", 180)); // 3.00, pre-paid

        // The run that stopped: it numbered the first part's statement and closed the part, then the host went down.
        h.Core.Clock.SetUtcNow(Utc(12, 2, 1));
        var id = InvoiceIds.For(account, "2026-11");
        Assert.NotNull(await new InvoiceNumbering(h.Stores.Counters).ReserveAsync(InvoiceIds.StatementSeries, id, h.Core.Clock.GetUtcNow(), _ => Task.FromResult(false), default));
        var current = (await h.Stores.Accounts.GetAsync(account, default))!;
        Assert.NotNull(await h.Stores.Accounts.TryReplaceAsync(current.Value.CloseThrough("2026-11"), current.ETag, default));
        await h.IngestAsync(account, ("+33145678901", "2026-12-02T00:30:00Z", 60)); // 0.15, December's

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var run = await h.RunAsync(null);

        Assert.Equal((1, 1, 1), (run.Recovered, run.Invoices, run.Statements));
        var first = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal((InvoiceKind.Statement, 1.00m, 1), (first.Kind, first.Subtotal, first.Lines.Sum(l => l.Calls)));
        Assert.Equal(new StatementBalances(100m, 0m, 1.00m, 99m), first.Balances);
        var documents = await h.Stores.Invoices.ListAsync(account, default);
        Assert.Equal(6.00m, documents.Sum(d => d.Subtotal));
    }

    [Fact]
    public async Task A_prepaid_call_granted_again_after_a_switch_to_postpaid_is_granted_only_what_its_credit_covers()
    {
        // The terminate of a call that started pre-paid charges only what its credit covers, as its statement shows it; its
        // interims granted by the mode of the moment, so after a switch to post-paid the call got grants without bound
        // and was charged them in full (use within a grant is charged what the grant reserved), taking the balance of
        // its pre-paid statement below zero.
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var account = await h.OpenAsync("granted-across", PrepaidSettings, opening: 1m);
        var first = (await h.Core.AuthorizeAsync(account, "across", "+441234567", seconds: 300)).Answer!;
        Assert.Equal((ResultCode.Success, 60, true), (first.ResultCode, first.GrantedSeconds, first.FinalUnit)); // 1.00 a minute, 60/60
        h.Core.Clock.SetUtcNow(Utc(11, 5, 11));
        await ChangeModeAsync(h, account, PostpaidSettings);

        var again = (await h.Core.InterimAsync("across", 1, 60, seconds: 600)).Answer!;
        var end = (await h.Core.TerminateAsync("across", 2, again.GrantedSeconds)).Answer!;

        Assert.Equal((ResultCode.CreditLimitReached, 0, true), (again.ResultCode, again.GrantedSeconds, again.FinalUnit));
        Assert.Equal((1.00m, 0m), (end.Charge, end.Balance));
        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        await h.RunAsync(null);
        Assert.Equal(new StatementBalances(1m, 0m, 1.00m, 0m), (await h.InvoiceAsync(account, "2026-11")).Balances);
    }

    [Fact]
    public async Task A_call_authorized_after_a_switch_to_postpaid_with_a_start_before_it_is_granted_only_what_the_balance_covers()
    {
        // The call started pre-paid (its start decides its part, a pre-paid statement, and its terminate charges it by the
        // pre-paid rules), but its authorize came after the switch and was granted by the post-paid rules, without bound.
        var h = InvoicingHarness.InMemory(Utc(11, 15, 10));
        var account = await h.OpenAsync("started-before", PrepaidSettings, opening: 1m);
        h.Core.Clock.SetUtcNow(Utc(11, 15, 11));
        await ChangeModeAsync(h, account, PostpaidSettings);
        h.Core.Clock.SetUtcNow(Utc(11, 15, 12));

        var grant = (await h.Core.CreditControl.AuthorizeAsync(
            new AuthorizeRequest("started-before", account, "+441234", "+441234567", Utc(11, 15, 10).AddMinutes(30), 600), default)).Answer!;
        var end = (await h.Core.TerminateAsync("started-before", 1, grant.GrantedSeconds)).Answer!;

        Assert.Equal((ResultCode.Success, 60, true), (grant.ResultCode, grant.GrantedSeconds, grant.FinalUnit));
        Assert.Equal((1.00m, 0m), (end.Charge, end.Balance));
    }

    [Fact]
    public async Task A_part_that_ends_or_starts_during_a_day_names_that_day_on_its_document()
    {
        // The document's period ran to the day before its end: right for a period ending at midnight, but a part ending at
        // 15:00 on the 10th was printed as ending on the 9th, and a part of one day read "10 November – 9 November".
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var account = await h.OpenAsync("same-day", PostpaidSettings, opening: 50m);
        await h.IngestAsync(account, ("+441234567", "2026-11-10T07:00:00Z", 60));
        h.Core.Clock.SetUtcNow(Utc(11, 10, 9));
        await ChangeModeAsync(h, account, PrepaidSettings);
        await h.IngestAsync(account, ("+441234567", "2026-11-10T09:30:00Z", 120));
        h.Core.Clock.SetUtcNow(Utc(11, 10, 15));
        await ChangeModeAsync(h, account, PostpaidSettings);
        await h.IngestAsync(account, ("+441234567", "2026-11-10T16:00:00Z", 180));
        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        await h.RunAsync(null);

        string Period(Invoice invoice) => System.Text.Encoding.UTF8.GetString(InvoiceDocuments.Html(invoice));

        Assert.Contains("1 November 2026 – 10 November 2026", Period(await h.InvoiceAsync(account, "2026-11")), StringComparison.Ordinal);
        Assert.Contains("10 November 2026 – 10 November 2026", Period(await h.InvoiceAsync(account, "2026-11.02")), StringComparison.Ordinal);
        Assert.Contains("10 November 2026 – 30 November 2026", Period(await h.InvoiceAsync(account, "2026-11.03")), StringComparison.Ordinal);
    }
}
