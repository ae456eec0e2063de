using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round twenty-nine of the hostile review (held): a call that starts in the next billing period (up to 31 days ahead of
/// the clock), charged now by its CDR or by its terminate, is billed with that period, not the running one: November's
/// documents hold only November's calls, December's the call charged in November as well as its own.
/// </summary>
public sealed class HostileRoundTwentyNineInvoicingTests
{
    private const string Called = "+33612345678"; // France: 0.15/min, 1/1

    [Fact]
    public async Task A_call_starting_next_month_is_invoiced_with_next_month_only()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("r29-ahead", Fixtures.Postpaid(1_000m, hard: false));
        await h.IngestAsync(account, (Called, "2026-12-10T10:00:00Z", 600)); // 1.50, December
        await h.IngestAsync(account, (Called, "2026-11-20T10:00:00Z", 60));  // 0.15, November

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        Assert.Equal(0.15m, (await h.InvoiceAsync(account, "2026-11")).Subtotal);
        await h.IngestAsync(account, (Called, "2026-12-11T10:00:00Z", 120)); // 0.30, December

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 1, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        var december = await h.InvoiceAsync(account, "2026-12");
        Assert.Equal(1.80m, december.Subtotal);
        Assert.Equal(2, december.Lines.Sum(l => l.Calls));
    }

    [Fact]
    public async Task A_prepaid_call_starting_next_month_is_on_next_months_statement()
    {
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("r29-ahead-pre", Fixtures.Prepaid(), 10m);
        var grant = (await h.Core.CreditControl.AuthorizeAsync(new ServerlessBilling.Core.CreditControl.AuthorizeRequest("s-ahead", account, "+441", Called, new DateTimeOffset(2026, 12, 10, 10, 0, 0, TimeSpan.Zero), 600), default)).Answer!;
        Assert.Equal(ServerlessBilling.Core.CreditControl.ResultCode.Success, grant.ResultCode);
        Assert.Equal(1.50m, (await h.Core.TerminateAsync("s-ahead", 1, 600)).Answer!.Charge);
        await h.IngestAsync(account, (Called, "2026-11-20T10:00:00Z", 60));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(0.15m, november.Subtotal);
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 1, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);
        var december = await h.InvoiceAsync(account, "2026-12");
        Assert.Equal(1.50m, december.Subtotal);
        Assert.Equal(10m - 1.65m, (await h.Core.StateAsync(account)).Balance);
        Assert.Equal(10m - 0.15m, november.Balances!.ClosingBalance);
    }
}
