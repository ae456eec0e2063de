using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// Round thirteen of the hostile review, on invoicing: one account whose invoice cannot be finished must not stop the
/// others'; billing periods in time zones whose clocks jumped over midnight.
/// </summary>
public sealed class HostileRoundThirteenInvoicingTests
{
    private static DateTimeOffset Utc(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    // Midnights that TimeZoneInfo.IsInvalidTime does not see were skipped: Apia skipped all of 30 December 2011, Asuncion
    // (2020), Amman (2021) and Coyhaique (2024) moved their clocks at midnight in years before they kept summer time.
    // The period's bound came out an hour (Apia: a day) too early, before the local midnight it stands for.
    [Theory]
    [InlineData("Pacific/Apia", 30, "2011-12-29T11:30:00Z", "2011-11", "2011-12-30T10:00:00Z")]
    [InlineData("America/Asuncion", 4, "2020-10-04T03:30:00Z", "2020-09", "2020-10-04T04:00:00Z")]
    [InlineData("Asia/Amman", 26, "2021-03-25T21:30:00Z", "2021-02", "2021-03-25T22:00:00Z")]
    [InlineData("America/Coyhaique", 8, "2024-09-08T03:30:00Z", "2024-08", "2024-09-08T04:00:00Z")]
    [InlineData("Europe/London", 29, "2026-03-29T00:30:00Z", "2026-03", "2026-04-28T23:00:00Z")]
    public void A_call_before_a_midnight_the_clocks_skipped_lies_in_the_period_that_ends_there(string zoneId, int billingDay, string call, string label, string end)
    {
        var zone = BillingPeriod.FindTimeZone(zoneId);
        var instant = DateTimeOffset.Parse(call, System.Globalization.CultureInfo.InvariantCulture);

        var period = BillingPeriod.Containing(instant, billingDay, zone);

        Assert.True(period.Contains(instant), $"{period.Start:O} .. {period.End:O}");
        Assert.Equal((label, DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)), (period.Label(zone), period.End));
        var next = BillingPeriod.Containing(period.End, billingDay, zone);
        Assert.Equal(period.End, next.Start);
        Assert.NotEqual(period.Label(zone), next.Label(zone));
    }

    [Fact]
    public async Task A_cdr_of_the_hour_before_a_skipped_midnight_is_charged_and_does_not_hang_the_account()
    {
        // The period that Containing gave did not contain the call, and counting a batch of charges stepped from one
        // period to the next until every charge was counted: it spun for ever, holding the account's writes (503 for
        // every later call and CDR of the account) and a processor.
        var h = InvoicingHarness.InMemory(new DateTimeOffset(2020, 10, 20, 12, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("asuncion", Fixtures.Postpaid(1_000m, hard: false) with { BillingDay = 4, TimeZone = "America/Asuncion" });

        await h.IngestAsync(account, ("+33145678901", "2020-10-04T03:30:00Z", 60)).WaitAsync(TimeSpan.FromSeconds(30));

        var state = await h.Core.StateAsync(account);
        Assert.Equal(-0.15m, state.Balance);
    }

    [Fact]
    public async Task A_pending_number_that_cannot_be_finished_holds_up_no_other_accounts_invoice()
    {
        // The run finishes what earlier runs left pending before it looks at the accounts. One reservation that failed
        // there (its documents could not be filed) made the whole run fail, every time, so no account was invoiced again.
        var h = InvoicingHarness.InMemory(Utc(11, 20));
        var settings = Fixtures.Postpaid(1_000m, hard: false);
        var stuck = await h.OpenAsync("stuck", settings);
        var other = await h.OpenAsync("other", settings);
        await h.IngestAsync(stuck, ("+33145678901", "2026-11-05T10:00:00Z", 60));
        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var sink = new RefusingSink(stuck, h.Documents);

        var first = (await h.NewRunService(sink).RunAsync(null, default)).Answer!;
        Assert.Equal((0, 1), (first.Invoices, first.Failed));

        await h.IngestAsync(other, ("+33145678901", "2026-11-06T10:00:00Z", 60));
        var second = await h.NewRunService(sink).RunAsync(null, default);
        Assert.Null(second.Error);
        Assert.Equal((1, 1), (second.Answer!.Invoices, second.Answer.Failed));
        Assert.StartsWith(stuck + ":", Assert.Single(second.Answer.Failures), StringComparison.Ordinal);
        Assert.Equal(0.15m, (await h.InvoiceAsync(other, "2026-11")).Subtotal);

        // Once its documents can be filed, the pending invoice is finished with its own number, and nothing is issued twice.
        var stuckNumber = (await h.InvoiceAsync(stuck, "2026-11")).InvoiceNumber;
        Assert.DoesNotContain(h.Documents.Documents.Keys, name => name.Contains(stuck, StringComparison.Ordinal));
        var third = (await h.NewRunService().RunAsync(null, default)).Answer!;
        Assert.Equal((0, 0), (third.Invoices, third.Failed));
        Assert.Contains($"invoices/{stuck}/{stuck}.2026-11.pdf", h.Documents.Documents.Keys);
        Assert.Equal((0, 0), ((await h.NewRunService(sink).RunAsync(null, default)).Answer!.Invoices, (await h.NewRunService(sink).RunAsync(null, default)).Answer!.Failed));
        Assert.Equal(stuckNumber, (await h.InvoiceAsync(stuck, "2026-11")).InvoiceNumber);
        Assert.NotEqual(stuckNumber, (await h.InvoiceAsync(other, "2026-11")).InvoiceNumber);
    }

    /// <summary>Files every document but those of one account, as a file system that refuses its name would.</summary>
    private sealed class RefusingSink(string accountId, IDocumentSink inner) : IDocumentSink
    {
        public Task PutAsync(string name, string contentType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            name.Contains("/" + accountId + "/", StringComparison.Ordinal)
                ? throw new IOException($"cannot file '{name}'")
                : inner.PutAsync(name, contentType, content, cancellationToken);
    }
}
