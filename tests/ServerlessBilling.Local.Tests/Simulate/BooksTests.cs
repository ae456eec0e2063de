using ServerlessBilling.Api.Contracts;
using ServerlessBilling.Core.Rating;
using ServerlessBilling.Local.Commands.Simulate;

namespace ServerlessBilling.Local.Tests.Simulate;

public sealed class BooksTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Period = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly SimulatedAccount Prepaid = SimulatedAccount.All(invoice: false).First(a => a.Prepaid);
    private static readonly SimulatedAccount Postpaid = SimulatedAccount.All(invoice: false).First(a => !a.Prepaid);

    [Fact]
    public void Expected_money_is_the_opening_balance_plus_top_ups_less_each_call_rated_by_the_rules()
    {
        var books = new Books();
        books.Record(Cdr("a", "+442079460123", 10)); // London 30/6 at 0.008: 30 s -> 0.004
        books.Record(Cdr("a", "+33612345678", 31)); // France mobile 30/6 at 0.24 + 0.01: 36 s -> 0.154
        books.Record(Cdr("a", "+33612345678", 0, Disposition.Failed));
        books.TopUp("a", 5m);

        var check = BooksCheck.Check(books, Prepaid, "a", Balance("prepaid", Prepaid.OpeningBalance + 5m - 0.158m), Period);

        Assert.Equal(0.158m, books.ChargesOf("a"));
        Assert.Equal(Prepaid.OpeningBalance + 5m - 0.158m, check.ExpectedBalance);
        Assert.Equal(3, check.Calls);
        Assert.Empty(check.Mismatches);
    }

    [Fact]
    public void Each_figure_that_differs_is_a_mismatch()
    {
        var books = new Books();
        books.Record(Cdr("p", "+442079460123", 10));

        var check = BooksCheck.Check(books, Postpaid, "p", Balance("postpaid", -0.004m) with { Balance = 1m, Reserved = 0.5m, ActiveSessions = 1, PeriodSpend = 0.005m }, Period);

        Assert.Equal(["balance", "reserved", "activeSessions", "periodSpend"], check.Mismatches.Select(m => m.Figure));
        Assert.Equal("p: balance is 1 on the platform, -0.004 by the simulator's rating (difference 1.004)", check.Mismatches[0].ToString());
    }

    [Fact]
    public void Period_spend_is_not_checked_when_the_period_rolled_over_during_the_run()
    {
        var books = new Books();
        books.Record(Cdr("p", "+442079460123", 10));

        var check = BooksCheck.Check(books, Postpaid, "p", Balance("postpaid", -0.004m) with { PeriodSpend = 0m, PeriodStart = Period.AddMonths(1) }, Period);

        Assert.True(check.PeriodRolled);
        Assert.Empty(check.Mismatches);
    }

    [Fact]
    public void An_invoice_subtotal_rounds_each_destination_line_once()
    {
        var books = new Books();
        for (var i = 0; i < 3; i++)
        {
            books.Record(Cdr("b", "+442079460123", 10)); // 0.004 each: line 0.012 -> 0.01
        }

        books.Record(Cdr("b", "+33612345678", 31)); // 0.154 -> 0.15
        books.Record(Cdr("b", "+33612345678", 31) with { StartTime = Start.AddMonths(1) }); // another period

        Assert.Equal(0.16m, books.InvoiceSubtotalOf("b", Period, Period.AddMonths(1)));
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var stats = new SimulationStats();
        Assert.Null(stats.AuthorizePercentile(0.5));
        foreach (var ms in Enumerable.Range(1, 100).Reverse())
        {
            stats.AuthorizeTook(TimeSpan.FromMilliseconds(ms));
        }

        Assert.Equal(50, stats.AuthorizePercentile(0.5));
        Assert.Equal(99, stats.AuthorizePercentile(0.99));
    }

    private static Core.Cdrs.Cdr Cdr(string account, string called, int seconds, Disposition disposition = Disposition.Answered) =>
        new($"{account}-{Guid.NewGuid():N}", account, "+441632960000", called, Start, seconds, disposition, null);

    private static Core.Accounts.BalanceView Balance(string mode, decimal balance) =>
        new("x", "X", mode == "postpaid" ? Core.Accounts.AccountMode.Postpaid : Core.Accounts.AccountMode.Prepaid, Core.Accounts.AccountStatus.Active, "GBP", balance, 0m, null, null, Period, mode == "postpaid" ? -balance : 0m, 0,
            new Core.Accounts.MonitoringView("ok", null, 0m, 0m, 0m, null, [], null));
}
