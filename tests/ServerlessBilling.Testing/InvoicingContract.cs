using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Invoicing;
using ServerlessBilling.Core.Storage;

namespace ServerlessBilling.Testing;

/// <summary>
/// The invoice run's guarantees (exactly once, gap-free numbers, reconciliation, late usage, tax treatments),
/// and the invoice, counter and directory ports, run against every store.
/// </summary>
public abstract class InvoicingContract
{
    private const string France = "+33145678901";       // 0.15/min, 1/1
    private const string UnitedKingdom = "+447700900123"; // 1.00/min, 60/60

    private static readonly DateTimeOffset EarlyNovember = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    protected abstract InvoicingStores Stores { get; }

    /// <summary>Every account id of the store (the stores of a suite may hold accounts of other suites too).</summary>
    protected abstract IAccountDirectory AllAccounts { get; }

    private InvoicingHarness NewHarness(DateTimeOffset? now = null) => new(Stores, now ?? EarlyNovember);

    private static AccountSettings Postpaid(TaxTreatment treatment = TaxTreatment.Standard, int billingDay = 1) =>
        Fixtures.Postpaid(100_000m, hard: false, $"deck-{Guid.NewGuid():N}") with
        {
            BillingDay = billingDay,
            Tax = new TaxSettings(treatment, 0.20m),
            PaymentTermsDays = 14,
        };

    [Fact]
    public async Task October_in_London_is_invoiced_once_across_the_BST_change_and_reconciles()
    {
        var h = NewHarness();
        var account = await h.OpenAsync("oct", Postpaid());
        await h.IngestAsync(
            account,
            (France, "2026-09-30T22:30:00Z", 60),  // 23:30 BST on 30 September: September
            (France, "2026-09-30T23:30:00Z", 7),   // 00:30 BST on 1 October: October, 0.0175
            (France, "2026-10-15T12:00:00Z", 13),  // 0.0325
            (France, "2026-10-31T23:30:00Z", 20),  // 23:30 GMT on 31 October (BST ended on the 25th): October, 0.05
            (UnitedKingdom, "2026-10-20T09:00:00Z", 61), // 120 s: 2.00
            (UnitedKingdom, "2026-11-01T00:30:00Z", 61)); // November: not on October's invoice

        var summary = await h.RunAsync("2026-10");

        Assert.Equal(2, summary.Invoices); // September's period is closed and not yet invoiced: it goes first
        var october = await h.InvoiceAsync(account, "2026-10");
        Assert.Equal(
            [new InvoiceLine("France", 3, 40, 0.10m), new InvoiceLine("United Kingdom", 1, 120, 2.00m)],
            october.Lines);
        Assert.Equal((2.10m, 0.42m, 2.52m), (october.Subtotal, october.Tax, october.Total));
        Assert.Equal(new DateTimeOffset(2026, 9, 30, 23, 0, 0, TimeSpan.Zero), october.PeriodStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), october.PeriodEnd);
        Assert.Equal(("GBP", EarlyNovember, new DateOnly(2026, 11, 16)), (october.Currency, october.IssuedAt, october.DueDate));
        Assert.Equal([new InvoiceLine("France", 1, 60, 0.15m)], (await h.InvoiceAsync(account, "2026-09")).Lines);

        var usage = await h.Core.Usage.ListAsync(account, october.PeriodStart, october.PeriodEnd, 100, default);
        Assert.Equal(
            usage.GroupBy(u => u.Destination).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Math.Round(g.Sum(u => u.Charge), 2, MidpointRounding.AwayFromZero)),
            october.Lines.Select(l => l.Amount));
    }

    [Fact]
    public async Task A_change_of_mode_mid_period_issues_a_statement_and_an_invoice_that_share_no_call()
    {
        var h = NewHarness();
        var postpaid = Postpaid();
        var account = await h.OpenAsync("mode", Fixtures.Prepaid(postpaid.RateDeckId) with { Name = postpaid.Name }, opening: 10m);
        await h.IngestAsync(account, (UnitedKingdom, "2026-11-02T09:00:00Z", 61)); // 2.00, pre-paid
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        Assert.Null((await h.Core.Admin.UpsertAsync(account, postpaid, 0m, default)).Error);
        await h.IngestAsync(account, (France, "2026-11-11T09:00:00Z", 60), (UnitedKingdom, "2026-11-09T09:00:00Z", 60)); // 0.15 post-paid; 1.00 pre-paid, late

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero));
        var run = await h.RunAsync("2026-11");
        Assert.Equal((1, 1), (run.Invoices, run.Statements));

        var statement = await h.InvoiceAsync(account, "2026-11");
        var invoice = await h.InvoiceAsync(account, "2026-11.02");
        Assert.Equal((InvoiceKind.Statement, 3.00m, 2), (statement.Kind, statement.Subtotal, statement.Lines.Sum(l => l.Calls)));
        Assert.Equal((InvoiceKind.Invoice, 0.15m, 0.03m, 0.18m), (invoice.Kind, invoice.Subtotal, invoice.Tax, invoice.Total));
        Assert.Equal([new InvoiceLine("France", 1, 60, 0.15m)], invoice.Lines);
        Assert.Equal(["2026-11.02", "2026-11"], (await Stores.Invoices.ListAsync(account, default)).Select(i => i.Period));
        Assert.Equal([new ModeChange(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero), AccountMode.Prepaid)], (await h.Core.StateAsync(account)).ModeChanges!);
        Assert.Equal((0, 0), ((await h.RunAsync(null)).Invoices, (await h.RunAsync(null)).Statements));
    }

    [Fact]
    public async Task A_second_run_changes_nothing()
    {
        var h = NewHarness();
        var account = await h.OpenAsync("twice", Postpaid());
        await h.IngestAsync(account, (France, "2026-10-10T10:00:00Z", 20));
        Assert.Equal(1, (await h.RunAsync("2026-10")).Invoices);
        var first = await h.InvoiceAsync(account, "2026-10");
        var counter = await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default);

        h.Core.Clock.Advance(TimeSpan.FromHours(3));
        var again = await h.RunAsync("2026-10");
        var timer = await h.RunAsync(null);

        Assert.Equal((0, 0), (again.Invoices, timer.Invoices));
        Assert.Equivalent(first, await h.InvoiceAsync(account, "2026-10"));
        Assert.Single(await Stores.Invoices.ListAsync(account, default));
        Assert.Equal(counter!.ETag, (await Stores.Counters.GetAsync(counter.Value.Id, default))!.ETag);
    }

    [Fact]
    public async Task Concurrent_runs_issue_one_invoice_per_account_with_gap_free_numbers()
    {
        var h = NewHarness();
        var accounts = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var account = await h.OpenAsync($"conc{i}", Postpaid());
            await h.IngestAsync(account, (France, "2026-10-10T10:00:00Z", 20 + i));
            accounts.Add(account);
        }

        var before = (await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))?.Value.Next ?? 1;

        // Four hosts at once, each with its own service (no shared in-process lock): only the ETags arbitrate.
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () => (await h.NewRunService().RunAsync("2026-10", default)).Answer!)));

        Assert.All(runs, r => Assert.Equal(0, r.Failed));
        // A run may finish a number another run has just reserved (it cannot tell it from one a crash left pending):
        // that invoice is counted as recovered by one run and issued by none.
        Assert.Equal(12, runs.Sum(r => r.Invoices + r.Recovered));
        var numbers = new List<long>();
        foreach (var account in accounts)
        {
            var invoice = Assert.Single(await Stores.Invoices.ListAsync(account, default));
            numbers.Add(long.Parse(invoice.InvoiceNumber[9..], System.Globalization.CultureInfo.InvariantCulture));
        }

        numbers.Sort();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => before + i), numbers);
        var counter = (await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))!.Value;
        Assert.Equal((before + 12, 0, 0), (counter.Next, counter.Pending.Count, counter.Spare.Count));
    }

    [Theory]
    [InlineData(TaxTreatment.ReverseCharge, InvoiceBuilder.ReverseChargeNote)]
    [InlineData(TaxTreatment.Exempt, InvoiceBuilder.ExemptNote)]
    public async Task Reverse_charge_and_exempt_invoices_carry_no_tax_and_their_note(TaxTreatment treatment, string note)
    {
        var h = NewHarness();
        var account = await h.OpenAsync("tax", Postpaid(treatment));
        await h.IngestAsync(account, (UnitedKingdom, "2026-10-10T10:00:00Z", 61));

        await h.RunAsync("2026-10");

        var invoice = await h.InvoiceAsync(account, "2026-10");
        Assert.Equal((2.00m, 0m, 0m, 2.00m, note), (invoice.Subtotal, invoice.TaxRate, invoice.Tax, invoice.Total, invoice.TaxNote));
    }

    [Fact]
    public async Task Late_usage_leaves_the_issued_invoice_alone_and_lands_on_the_next_one()
    {
        var h = NewHarness();
        var account = await h.OpenAsync("late", Postpaid());
        await h.IngestAsync(account, (France, "2026-10-10T10:00:00Z", 20));
        await h.RunAsync("2026-10");
        var october = await h.InvoiceAsync(account, "2026-10");

        await h.IngestAsync(account, (France, "2026-10-30T10:00:00Z", 7), (UnitedKingdom, "2026-10-31T10:00:00Z", 61), (UnitedKingdom, "2026-11-20T10:00:00Z", 61));
        await h.RunAsync("2026-10");
        Assert.Equivalent(october, await h.InvoiceAsync(account, "2026-10"));

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);

        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal([new InvoiceLine("United Kingdom", 1, 120, 2.00m)], november.Lines);
        var late = Assert.Single(november.LateUsage);
        Assert.Equal("2026-10", late.Period);
        Assert.Equal([new InvoiceLine("France", 1, 7, 0.02m), new InvoiceLine("United Kingdom", 1, 120, 2.00m)], late.Lines);
        Assert.Equal((4.02m, 0.80m, 4.82m), (november.Subtotal, november.Tax, november.Total));

        // Reconciliation over both invoices: every October charge is on exactly one of them, each line rounded once.
        var octoberUsage = await h.Core.Usage.ListAsync(account, october.PeriodStart, october.PeriodEnd, 100, default);
        Assert.Equal(2.0675m, octoberUsage.Sum(u => u.Charge));
        Assert.Equal(0.05m + 0.02m + 2.00m, october.Subtotal + late.Subtotal);
    }

    [Fact]
    public async Task Each_account_is_invoiced_when_its_own_period_closes()
    {
        var h = NewHarness(new DateTimeOffset(2026, 11, 14, 12, 0, 0, TimeSpan.Zero));
        var fifteenth = await h.OpenAsync("d15", Postpaid(billingDay: 15));
        await h.IngestAsync(fifteenth, (France, "2026-10-20T10:00:00Z", 20), (France, "2026-11-14T23:30:00Z", 20));

        Assert.Equal(0, (await h.RunAsync(null)).Invoices); // 14 November: 15 Oct - 15 Nov is still open

        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 15, 1, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, (await h.RunAsync(null)).Invoices);
        var invoice = await h.InvoiceAsync(fifteenth, "2026-10");
        Assert.Equal(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero), invoice.PeriodEnd);
        Assert.Equal(2, invoice.Lines.Single().Calls); // 23:30 GMT on the 14th is before midnight
    }

    [Fact]
    public async Task A_run_interrupted_after_reserving_and_closing_is_finished_by_the_next_without_a_gap()
    {
        var h = NewHarness();
        var account = await h.OpenAsync("crash", Postpaid());
        await h.IngestAsync(account, (France, "2026-10-10T10:00:00Z", 20));
        var id = InvoiceIds.For(account, "2026-10");

        // The crashed run: it reserved a number and closed the period, then stopped.
        var reservation = (await new InvoiceNumbering(Stores.Counters).ReserveAsync(InvoiceIds.InvoiceSeries, id, EarlyNovember, _ => Task.FromResult(false), default))!;
        var current = (await Stores.Accounts.GetAsync(account, default))!;
        Assert.NotNull(await Stores.Accounts.TryReplaceAsync(current.Value.CloseThrough("2026-10"), current.ETag, default));
        await h.IngestAsync(account, (France, "2026-10-11T10:00:00Z", 20)); // late: after the close

        h.Core.Clock.Advance(TimeSpan.FromDays(1));
        var summary = await h.RunAsync(null);

        Assert.Equal(1, summary.Recovered);
        var invoice = await h.InvoiceAsync(account, "2026-10");
        Assert.Equal((reservation.Number, EarlyNovember), (invoice.InvoiceNumber, invoice.IssuedAt));
        Assert.Equal([new InvoiceLine("France", 1, 20, 0.05m)], invoice.Lines);
        var counter = (await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))!.Value;
        Assert.Equal((reservation.Sequence + 1, 0), (counter.Next, counter.Pending.Count));
    }

    [Fact]
    public async Task A_number_taken_for_an_invoice_already_issued_is_given_back()
    {
        var h = NewHarness();
        var account = await h.OpenAsync("slow", Postpaid());
        await h.IngestAsync(account, (France, "2026-10-10T10:00:00Z", 20));
        await h.RunAsync("2026-10");
        var issued = await h.InvoiceAsync(account, "2026-10");

        // A run on a store whose reads lag: it did not see the invoice, and reserved a second number for it.
        var numbering = new InvoiceNumbering(Stores.Counters);
        Assert.Null(await numbering.ReserveAsync(InvoiceIds.InvoiceSeries, issued.InvoiceId, EarlyNovember, _ => Task.FromResult(true), default));
        var stale = (await numbering.ReserveAsync(InvoiceIds.InvoiceSeries, issued.InvoiceId, EarlyNovember, _ => Task.FromResult(false), default))!;
        Assert.NotEqual(issued.InvoiceNumber, stale.Number);

        await h.RunAsync(null);

        var counter = (await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))!.Value;
        Assert.Equal((stale.Sequence, 0, 0), (counter.Next, counter.Pending.Count, counter.Spare.Count));
        Assert.Equivalent(issued, await h.InvoiceAsync(account, "2026-10"));
    }

    [Fact]
    public async Task A_pre_paid_account_gets_monthly_statements_that_chain_and_take_no_invoice_number()
    {
        var h = NewHarness(new DateTimeOffset(2026, 10, 5, 9, 0, 0, TimeSpan.Zero));
        var account = await h.OpenAsync("pre", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"), opening: 100m);
        Assert.Null((await h.Core.Admin.TopUpAsync(new TopUpRequest(account, "t-oct", 50m), default)).Error);
        await h.IngestAsync(account, (UnitedKingdom, "2026-10-10T10:00:00Z", 61), (France, "2026-10-11T10:00:00Z", 20));
        h.Core.Clock.SetUtcNow(EarlyNovember);
        Assert.Null((await h.Core.Admin.TopUpAsync(new TopUpRequest(account, "t-nov", 10m), default)).Error);
        await h.IngestAsync(account, (UnitedKingdom, "2026-11-01T10:00:00Z", 61));
        var invoiceCounter = (await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))?.ETag;

        var run = await h.RunAsync("2026-10");

        Assert.Equal((0, 1), (run.Invoices, run.Statements));
        var october = await h.InvoiceAsync(account, "2026-10");
        Assert.Equal(InvoiceKind.Statement, october.Kind);
        Assert.StartsWith("STM-2026-", october.InvoiceNumber, StringComparison.Ordinal);
        Assert.Equal(new StatementBalances(100m, 50m, 2.05m, 147.95m), october.Balances);
        Assert.Equal([new InvoiceLine("France", 1, 20, 0.05m), new InvoiceLine("United Kingdom", 1, 120, 2.00m)], october.Lines);
        Assert.Equal((2.05m, 0m, 2.05m, (DateOnly?)null), (october.Subtotal, october.Tax, october.Total, october.DueDate));
        Assert.Equal(invoiceCounter, (await Stores.Counters.GetAsync(InvoiceCounter.IdFor(InvoiceIds.InvoiceSeries, 2026), default))?.ETag);

        await h.IngestAsync(account, (France, "2026-10-12T10:00:00Z", 7)); // late: 0.0175
        h.Core.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        await h.RunAsync(null);

        var november = await h.InvoiceAsync(account, "2026-11");
        Assert.Equal(new StatementBalances(147.95m, 10m, 2.0175m, 155.9325m), november.Balances);
        var state = await h.Core.StateAsync(account);
        Assert.Equal(state.Balance, november.Balances!.ClosingBalance);
        Fixtures.AssertConserved(state);
    }

    [Fact]
    public async Task Invoice_store_creates_once_and_lists_newest_period_first()
    {
        var account = $"store-{Guid.NewGuid():N}";
        var october = Sample(account, "2026-10", "INV-2026-900001");
        Assert.True(await Stores.Invoices.TryCreateAsync(october, default));
        Assert.False(await Stores.Invoices.TryCreateAsync(october with { InvoiceNumber = "INV-2026-900009" }, default));
        Assert.True(await Stores.Invoices.TryCreateAsync(Sample(account, "2026-11", "INV-2026-900002"), default));

        Assert.Equivalent(october, await Stores.Invoices.GetAsync(account, october.InvoiceId, default));
        Assert.Null(await Stores.Invoices.GetAsync(account, InvoiceIds.For(account, "2026-01"), default));
        Assert.Equal(["2026-11", "2026-10"], (await Stores.Invoices.ListAsync(account, default)).Select(i => i.Period));
        Assert.Empty(await Stores.Invoices.ListAsync($"none-{Guid.NewGuid():N}", default));
    }

    [Fact]
    public async Task Counter_store_writes_only_with_the_current_etag()
    {
        var counter = new InvoiceCounter { Series = $"T{Guid.NewGuid():N}"[..8], Year = 2026 };
        var first = await Stores.Counters.TryCreateAsync(counter, default);
        Assert.NotNull(first);
        Assert.Null(await Stores.Counters.TryCreateAsync(counter, default));

        var (reserved, _) = counter.Reserve("a.2026-10", EarlyNovember);
        var second = await Stores.Counters.TryReplaceAsync(reserved, first, default);
        Assert.NotNull(second);
        Assert.Null(await Stores.Counters.TryReplaceAsync(reserved with { Next = 99 }, first, default));

        var read = (await Stores.Counters.GetAsync(counter.Id, default))!;
        Assert.Equal((second, 2L, 1L), (read.ETag, read.Value.Next, read.Value.Pending["a.2026-10"].Sequence));
        Assert.Null(await Stores.Counters.GetAsync(InvoiceCounter.IdFor("NONE", 2026), default));
    }

    [Fact]
    public async Task Directory_lists_every_account()
    {
        var h = NewHarness();
        var a = await h.OpenAsync("dir", Postpaid());
        var b = await h.OpenAsync("dir", Fixtures.Prepaid($"deck-{Guid.NewGuid():N}"));
        var ids = new List<string>();
        await foreach (var id in AllAccounts.ListAccountIdsAsync(default))
        {
            ids.Add(id);
        }

        Assert.Contains(a, ids);
        Assert.Contains(b, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static Invoice Sample(string account, string period, string number) => new()
    {
        InvoiceId = InvoiceIds.For(account, period),
        InvoiceNumber = number,
        AccountId = account,
        AccountName = "Sample Ltd",
        Period = period,
        PeriodStart = new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.FromHours(1)),
        PeriodEnd = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        TimeZone = "Europe/London",
        Currency = "GBP",
        Lines = [new InvoiceLine("France", 3, 40, 0.10m)],
        LateUsage = [new LateUsageSection("2026-09", [new InvoiceLine("United Kingdom", 1, 120, 2.00m)], 2.00m)],
        Subtotal = 2.10m,
        TaxTreatment = TaxTreatment.Standard,
        TaxRate = 0.2m,
        Tax = 0.42m,
        Total = 2.52m,
        IssuedAt = EarlyNovember,
        DueDate = new DateOnly(2026, 12, 2),
    };
}
