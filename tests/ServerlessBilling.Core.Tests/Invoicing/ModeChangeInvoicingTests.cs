using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>
/// A change of mode in the middle of a billing period. The invoice run chose the document of a whole period by the mode
/// at run time: pre-paid calls, already paid from the balance, went on the invoice of a switch to post-paid. A change of
/// mode now ends the running period as a part, and each part gets the document of the mode it ran under.
/// </summary>
public sealed class ModeChangeInvoicingTests
{
    private static readonly AccountSettings PrepaidSettings = Fixtures.Prepaid();

    /// <summary>The same account post-paid: only the mode and the limit differ.</summary>
    private static readonly AccountSettings PostpaidSettings = Fixtures.Postpaid(1_000m, hard: false) with { Name = PrepaidSettings.Name };

    // November is GMT in Europe/London: local time and UTC agree.
    private static DateTimeOffset Utc(int month, int day, int hour = 10, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static async Task ChangeModeAsync(InvoicingHarness h, string account, AccountSettings settings) =>
        Assert.Null((await h.Core.Admin.UpsertAsync(account, settings, 0m, default)).Error);

    /// <summary>A UK call (1.00 a minute) authorized under <paramref name="from"/>, the mode changed to <paramref name="to"/>, then terminated with <paramref name="used"/> seconds.</summary>
    private static async Task<(InvoicingHarness H, string Account, TerminateAnswer Answer)> CallAcrossSwitchAsync(
        string prefix, AccountSettings from, AccountSettings to, decimal opening, int used)
    {
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var account = await h.OpenAsync(prefix, from, opening);
        Assert.Equal(ResultCode.Success, (await h.Core.AuthorizeAsync(account, "across", "+441234567")).Answer!.ResultCode);
        h.Core.Clock.SetUtcNow(Utc(11, 5, 10, 1));
        await ChangeModeAsync(h, account, to);
        h.Core.Clock.SetUtcNow(Utc(11, 5, 11, 30));
        return (h, account, (await h.Core.TerminateAsync("across", 1, used)).Answer!);
    }

    private static Task<IReadOnlyList<Invoice>> DocumentsAsync(InvoicingHarness h, string account) => h.Stores.Invoices.ListAsync(account, default);

    [Fact]
    public async Task A_prepaid_call_terminated_after_a_switch_to_postpaid_is_charged_only_what_its_credit_covered()
    {
        // The call is on the pre-paid part's statement, paid from the balance: use reported far beyond its grant must not
        // take the balance below zero because the account had become post-paid by its terminate.
        var (h, account, answer) = await CallAcrossSwitchAsync("overrun-to-postpaid", PrepaidSettings, PostpaidSettings, opening: 1m, used: 5_000);

        Assert.Equal(5_000, answer.TotalSeconds);
        Assert.True(answer.Charge <= 1m, $"charged {answer.Charge}");
        Assert.True(answer.Balance >= 0m, $"balance {answer.Balance}");
        Assert.Equal(answer.Balance, (await h.Core.StateAsync(account)).Balance);
    }

    [Fact]
    public async Task A_postpaid_call_terminated_after_a_switch_to_prepaid_is_charged_in_full()
    {
        // The call is on the post-paid part's invoice: all its use is billed, as a post-paid call's is, not cut to the
        // balance the account had when it became pre-paid.
        var (_, _, answer) = await CallAcrossSwitchAsync("overrun-to-prepaid", PostpaidSettings, PrepaidSettings, opening: 0m, used: 600);

        Assert.Equal((600, 600, 10.00m, -10.00m), (answer.TotalSeconds, answer.BilledSeconds, answer.Charge, answer.Balance));
    }

    [Fact]
    public async Task A_switch_to_postpaid_puts_the_prepaid_calls_on_a_statement_and_only_the_postpaid_calls_on_the_invoice()
    {
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var prepaid = Fixtures.Prepaid();
        var account = await h.OpenAsync("to-postpaid", prepaid, opening: 100m);
        await h.IngestAsync(account, ("+441234567", "2026-11-05T09:00:00Z", 120), ("+33145678901", "2026-11-10T09:00:00Z", 60)); // 2.00 + 0.15

        // A call under credit control runs across the change: it started pre-paid, so it is the statement's.
        h.Core.Clock.SetUtcNow(Utc(11, 15, 9, 55));
        Assert.Equal(ResultCode.Success, (await h.Core.AuthorizeAsync(account, "across")).Answer!.ResultCode);
        h.Core.Clock.SetUtcNow(Utc(11, 15, 10));
        await ChangeModeAsync(h, account, Fixtures.Postpaid(1_000m, hard: false) with { Name = prepaid.Name });
        h.Core.Clock.SetUtcNow(Utc(11, 15, 10, 5));
        Assert.Equal(0.65m, (await h.Core.TerminateAsync("across", 1, 60)).Answer!.Charge); // London: 0.05 + 0.60

        h.Core.Clock.SetUtcNow(Utc(11, 20));
        await h.IngestAsync(account, ("+441234567", "2026-11-16T09:00:00Z", 60), ("+33145678901", "2026-11-20T09:00:00Z", 120)); // 1.00 + 0.30
        await h.IngestAsync(account, ("+441234567", "2026-11-14T09:00:00Z", 180)); // 3.00: late from mediation, a pre-paid call

        var state = await h.Core.StateAsync(account);
        Assert.Equal(("2026-11.02", Utc(11, 15, 10), 1.30m), (state.PeriodLabel, state.PeriodStart, state.PeriodSpend));

        // Nothing is due before the period has ended, so that late calls still reach the part they started in.
        Assert.Equal(0, (await h.RunAsync(null)).Invoices + (await h.RunAsync(null)).Statements);

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var run = await h.RunAsync(null);
        Assert.Equal((1, 1), (run.Invoices, run.Statements));

        var statement = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(InvoiceKind.Statement, statement.Kind);
        Assert.Equal((Utc(11, 1, 0), Utc(11, 15, 10)), (statement.PeriodStart, statement.PeriodEnd));
        Assert.Equal(
            [("France", 1, 0.15m), ("United Kingdom", 2, 5.00m), ("United Kingdom London", 1, 0.65m)],
            statement.Lines.Select(l => (l.Destination, l.Calls, l.Amount)));
        Assert.Equal(new StatementBalances(100m, 0m, 5.80m, 94.20m), statement.Balances);
        Assert.StartsWith("STM-", statement.InvoiceNumber, StringComparison.Ordinal);

        var invoice = await h.InvoiceAsync(account, "2026-11.02");
        Assert.Equal(InvoiceKind.Invoice, invoice.Kind);
        Assert.Equal((Utc(11, 15, 10), Utc(12, 1, 0)), (invoice.PeriodStart, invoice.PeriodEnd));
        Assert.Equal([("France", 1, 0.30m), ("United Kingdom", 1, 1.00m)], invoice.Lines.Select(l => (l.Destination, l.Calls, l.Amount)));
        Assert.Equal((1.30m, 0.26m, 1.56m), (invoice.Subtotal, invoice.Tax, invoice.Total));
        Assert.StartsWith("INV-", invoice.InvoiceNumber, StringComparison.Ordinal);

        // Every call on exactly one document, and the documents add up to the rated usage.
        var documents = await DocumentsAsync(h, account);
        Assert.Equal(2, documents.Count);
        Assert.Equal(6, documents.Sum(d => d.Lines.Sum(l => l.Calls)));
        Assert.Equal((await h.Core.StateAsync(account)).Committed, documents.Sum(d => d.Subtotal));

        // The next run issues nothing again.
        var again = await h.RunAsync(null);
        Assert.Equal((0, 0), (again.Invoices, again.Statements));
    }

    [Fact]
    public async Task A_switch_to_prepaid_and_back_on_the_same_day_gives_each_part_its_own_document()
    {
        var h = InvoicingHarness.InMemory(Utc(11, 10, 8));
        var postpaid = Fixtures.Postpaid(1_000m, hard: false);
        var account = await h.OpenAsync("and-back", postpaid, opening: 50m);
        await h.IngestAsync(account, ("+441234567", "2026-11-10T07:00:00Z", 60)); // 1.00, post-paid
        h.Core.Clock.SetUtcNow(Utc(11, 10, 9));
        await ChangeModeAsync(h, account, Fixtures.Prepaid() with { Name = postpaid.Name });
        await h.IngestAsync(account, ("+441234567", "2026-11-10T09:30:00Z", 120)); // 2.00, pre-paid
        h.Core.Clock.SetUtcNow(Utc(11, 10, 15));
        await ChangeModeAsync(h, account, postpaid);
        await ChangeModeAsync(h, account, postpaid); // the same settings again change nothing
        await h.IngestAsync(account, ("+441234567", "2026-11-10T16:00:00Z", 180)); // 3.00, post-paid

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var run = await h.RunAsync(null);
        Assert.Equal((2, 1), (run.Invoices, run.Statements));

        var first = await h.InvoiceAsync(account, "2026-11");
        var middle = await h.InvoiceAsync(account, "2026-11.02");
        var last = await h.InvoiceAsync(account, "2026-11.03");
        Assert.Equal(
            [(InvoiceKind.Invoice, 1.00m), (InvoiceKind.Statement, 2.00m), (InvoiceKind.Invoice, 3.00m)],
            new[] { first, middle, last }.Select(d => (d.Kind, d.Subtotal)));
        Assert.Equal((Utc(11, 10, 9), Utc(11, 10, 15)), (middle.PeriodStart, middle.PeriodEnd));
        Assert.Equal(new StatementBalances(49m, 0m, 2.00m, 47m), middle.Balances);

        // The ids of parts name their account and part.
        Assert.True(InvoiceIds.TryParse(last.InvoiceId, out var parsedAccount, out var parsedPeriod));
        Assert.Equal((account, "2026-11.03"), (parsedAccount, parsedPeriod));
        var listed = (await DocumentsAsync(h, account)).Select(d => d.Period).ToList();
        Assert.Equal(["2026-11.03", "2026-11.02", "2026-11"], listed);
    }

    [Fact]
    public async Task A_switch_at_the_start_of_a_period_splits_nothing_and_the_period_before_keeps_its_mode()
    {
        // The change the old rule asked for: between periods, before the run has invoiced the period that just ended.
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var prepaid = Fixtures.Prepaid();
        var account = await h.OpenAsync("boundary", prepaid, opening: 20m);
        await h.IngestAsync(account, ("+441234567", "2026-11-05T09:00:00Z", 60)); // 1.00
        h.Core.Clock.SetUtcNow(Utc(12, 1, 0));
        await ChangeModeAsync(h, account, Fixtures.Postpaid(1_000m, hard: false) with { Name = prepaid.Name });
        await h.IngestAsync(account, ("+441234567", "2026-12-01T00:00:00Z", 120)); // 2.00, December's, post-paid
        Assert.Equal(("2026-12", Utc(12, 1, 0)), ((await h.Core.StateAsync(account)).PeriodLabel, (await h.Core.StateAsync(account)).PeriodStart));

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        Assert.Equal(1, (await h.RunAsync(null)).Statements);
        Assert.Equal((InvoiceKind.Statement, 1.00m), ((await h.InvoiceAsync(account, "2026-11")).Kind, (await h.InvoiceAsync(account, "2026-11")).Subtotal));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 2, 6, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);
        var december = await h.InvoiceAsync(account, "2026-12");
        Assert.Equal((InvoiceKind.Invoice, 2.00m, Utc(12, 1, 0)), (december.Kind, december.Subtotal, december.PeriodStart));
    }

    [Fact]
    public async Task A_late_call_of_an_invoiced_part_goes_on_the_next_document_of_its_own_mode()
    {
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var (prepaid, postpaid) = (PrepaidSettings, PostpaidSettings);
        var account = await h.OpenAsync("late", prepaid, opening: 20m);
        await h.IngestAsync(account, ("+441234567", "2026-11-05T09:00:00Z", 60)); // 1.00, pre-paid
        h.Core.Clock.SetUtcNow(Utc(11, 15));
        await ChangeModeAsync(h, account, postpaid);
        await h.IngestAsync(account, ("+441234567", "2026-11-16T09:00:00Z", 60)); // 1.00, post-paid
        h.Core.Clock.SetUtcNow(Utc(12, 1, 0));
        await ChangeModeAsync(h, account, prepaid);

        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var november = await h.RunAsync(null);
        Assert.Equal((1, 1, "2026-11.02"), (november.Invoices, november.Statements, (await h.Core.StateAsync(account)).ClosedThrough));
        await h.IngestAsync(account, ("+441234567", "2026-11-06T09:00:00Z", 120)); // 2.00: late, pre-paid, after its statement
        h.Core.Clock.SetUtcNow(Utc(12, 20));
        await ChangeModeAsync(h, account, postpaid);
        await h.IngestAsync(account, ("+441234567", "2026-11-17T09:00:00Z", 180)); // 3.00: late, post-paid, after its invoice

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 2, 6, 0, 0, TimeSpan.Zero));
        var run = await h.RunAsync(null);
        Assert.Equal((1, 1), (run.Invoices, run.Statements));
        var statement = await h.InvoiceAsync(account, "2026-12");
        var invoice = await h.InvoiceAsync(account, "2026-12.02");
        Assert.Equal((InvoiceKind.Statement, "2026-11", 2.00m), (statement.Kind, statement.LateUsage.Single().Period, statement.LateUsage.Single().Subtotal));
        Assert.Equal((InvoiceKind.Invoice, "2026-11.02", 3.00m), (invoice.Kind, invoice.LateUsage.Single().Period, invoice.LateUsage.Single().Subtotal));
        Assert.Equal((2.00m, 3.00m), (statement.Subtotal, invoice.Subtotal));
    }

    [Fact]
    public async Task A_late_prepaid_call_with_no_statement_open_gets_a_statement_of_its_own_not_the_invoice()
    {
        // The switch at the start of December, and the run that issued November's statement, came before a CDR of 30
        // November: no pre-paid document is open, and the only open one is December's invoice.
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var account = await h.OpenAsync("late-alone", PrepaidSettings, opening: 20m);
        await h.IngestAsync(account, ("+441234567", "2026-11-05T09:00:00Z", 60)); // 1.00
        h.Core.Clock.SetUtcNow(Utc(12, 1, 0));
        await ChangeModeAsync(h, account, PostpaidSettings);
        h.Core.Clock.SetUtcNow(Utc(12, 1, 1));
        Assert.Equal(1, (await h.RunAsync(null)).Statements);

        h.Core.Clock.SetUtcNow(Utc(12, 1, 2));
        await h.IngestAsync(account, ("+441234567", "2026-11-30T23:00:00Z", 120)); // 2.00: pre-paid, paid from the balance
        await h.IngestAsync(account, ("+33145678901", "2026-12-05T09:00:00Z", 60)); // 0.15: December's, post-paid
        h.Core.Clock.SetUtcNow(Utc(12, 2, 6));
        var run = await h.RunAsync(null);
        Assert.Equal((0, 1), (run.Invoices, run.Statements));

        var late = await h.InvoiceAsync(account, "2026-11.02");
        Assert.Equal((InvoiceKind.Statement, 2.00m), (late.Kind, late.Subtotal));
        Assert.Equal(("2026-11", 2.00m), (late.LateUsage.Single().Period, late.LateUsage.Single().Subtotal));
        Assert.Empty(late.Lines);

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 2, 6, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);
        var december = await h.InvoiceAsync(account, "2026-12");
        Assert.Equal((InvoiceKind.Invoice, 0.15m), (december.Kind, december.Subtotal));
        Assert.Empty(december.LateUsage);
    }

    [Fact]
    public async Task A_postpaid_limit_counts_the_spend_since_the_switch()
    {
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var prepaid = Fixtures.Prepaid();
        var account = await h.OpenAsync("limit", prepaid, opening: 100m);
        await h.IngestAsync(account, ("+441234567", "2026-11-05T09:00:00Z", 600)); // 10.00, paid from the balance
        h.Core.Clock.SetUtcNow(Utc(11, 15));
        await ChangeModeAsync(h, account, Fixtures.Postpaid(5m, hard: true) with { Name = prepaid.Name });

        var state = await h.Core.StateAsync(account);
        Assert.Equal((0m, 5m), (state.PeriodSpend, state.Available));
        Assert.Equal(ResultCode.Success, (await h.Core.AuthorizeAsync(account, "after-switch")).Answer!.ResultCode);
    }

    [Fact]
    public async Task A_period_takes_at_most_twenty_parts_and_a_change_beyond_them_is_a_conflict()
    {
        var h = InvoicingHarness.InMemory(Utc(11, 5));
        var (prepaid, postpaid) = (PrepaidSettings, PostpaidSettings);
        var account = await h.OpenAsync("parts", prepaid, opening: 10m);
        for (var change = 1; change < BillingPeriod.MaxParts; change++)
        {
            h.Core.Clock.Advance(TimeSpan.FromMinutes(1));
            await ChangeModeAsync(h, account, change % 2 == 1 ? postpaid : prepaid);
        }

        Assert.Equal("2026-11.20", (await h.Core.StateAsync(account)).PeriodLabel);
        h.Core.Clock.Advance(TimeSpan.FromMinutes(1));
        var refused = await h.Core.Admin.UpsertAsync(account, prepaid, 0m, default);
        Assert.Equal(OutcomeErrorKind.Conflict, refused.Error!.Kind);
        Assert.Equal(AccountMode.Postpaid, (await h.Core.StateAsync(account)).Settings.Mode);

        // Other settings still change, and the next period takes changes again.
        Assert.Null((await h.Core.Admin.UpsertAsync(account, postpaid with { Name = "Renamed" }, 0m, default)).Error);
        h.Core.Clock.SetUtcNow(Utc(12, 3));
        await ChangeModeAsync(h, account, prepaid with { Name = "Renamed" });
        Assert.Equal("2026-12.02", (await h.Core.StateAsync(account)).PeriodLabel);
    }

    [Fact]
    public void A_stored_document_without_mode_changes_reads_as_before_and_one_with_them_round_trips()
    {
        var settings = Fixtures.Prepaid();
        var account = AccountState.Open("doc", settings, 10m, Utc(11, 5));
        var json = System.Text.Json.JsonSerializer.Serialize(account, StoredJson.Options);
        Assert.DoesNotContain("modeChanges", json, StringComparison.Ordinal);
        var read = System.Text.Json.JsonSerializer.Deserialize<AccountState>(json, StoredJson.Options)!;
        Assert.Null(read.ModeChanges);
        Assert.Equal(AccountMode.Prepaid, read.PeriodBook.ModeAt(Utc(10, 1), read.Settings));

        var changed = account.WithSettings(Fixtures.Postpaid(1m, hard: false) with { Name = settings.Name }, Utc(11, 15));
        var stored = System.Text.Json.JsonSerializer.Serialize(changed, StoredJson.Options);
        var again = System.Text.Json.JsonSerializer.Deserialize<AccountState>(stored, StoredJson.Options)!;
        Assert.Equal(stored, System.Text.Json.JsonSerializer.Serialize(again, StoredJson.Options));
        Assert.Equal([new ModeChange(Utc(11, 15), AccountMode.Prepaid)], again.ModeChanges!);
        Assert.Equal((AccountMode.Prepaid, AccountMode.Postpaid), (again.PeriodBook.ModeAt(Utc(11, 14), again.Settings), again.PeriodBook.ModeAt(Utc(11, 15), again.Settings)));
        Assert.Equal(("2026-11.02", Utc(11, 15)), (again.PeriodLabel, again.Totals["2026-11"].End));
    }
}
