using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>The billing periods of the account document: the current period, the totals by period, and closing.</summary>
public sealed class PeriodBookTests
{
    private static readonly AccountSettings London = Fixtures.Postpaid(1000m, hard: false);

    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static ChargeLine Call(decimal amount, DateTimeOffset start, string destination = "France") => new(amount, 60, 1, destination, start);

    private static DateTimeOffset At(int month, int day) => new(2026, month, day, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_opened_book_is_at_the_period_containing_now_with_nothing_spent()
    {
        var book = PeriodBook.Open(Now, London);

        Assert.Equal((At(11, 1).AddHours(-12), At(12, 1).AddHours(-12), 0m, "2026-11"), (book.Start, book.End, book.Spend, book.Label));
        Assert.Empty(book.Totals);
        Assert.Null(book.ClosedThrough);
    }

    [Fact]
    public void Rolling_moves_to_the_period_of_now_only_once_the_current_one_has_ended_and_keeps_the_totals()
    {
        var book = PeriodBook.Open(Now, London).Add(Call(2m, Now), London);

        Assert.Equal(book, book.Roll(At(11, 30), London));

        var rolled = book.Roll(At(12, 1), London);
        Assert.Equal(("2026-12", 0m), (rolled.Label, rolled.Spend));
        Assert.Equal(book.End, rolled.Start);
        Assert.Same(book.Totals, rolled.Totals);
    }

    [Fact]
    public void A_charge_counts_in_the_spend_now_and_in_the_totals_of_the_period_its_call_started_in()
    {
        var book = PeriodBook.Open(Now, London)
            .Add(Call(1m, Now), London)
            .Add(Call(0.5m, At(10, 31)), London);

        Assert.Equal(1.5m, book.Spend); // the exposure counts what is committed now, whatever the start
        Assert.Equal(new UsageTotals(1, 60, 1m), book.Totals["2026-11"].Total);
        Assert.Equal(new UsageTotals(1, 60, 0.5m), book.Totals["2026-10"].ByDestination["France"]);
    }

    [Fact]
    public void A_call_outside_the_current_period_is_placed_by_the_accounts_time_zone()
    {
        var book = PeriodBook.Open(Now, London);

        // 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
        var (label, start, end) = book.PeriodOf(new DateTimeOffset(2026, 6, 30, 23, 30, 0, TimeSpan.Zero), London);

        Assert.Equal("2026-07", label);
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.FromHours(1)), start);
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.FromHours(1)), end);
        Assert.Equal(("2026-11", book.Start, book.End), book.PeriodOf(Now, London));
    }

    [Fact]
    public void Closing_never_goes_back_and_a_charge_for_a_closed_period_is_late_usage_of_the_first_open_one()
    {
        var book = PeriodBook.Open(Now, London).Add(Call(1m, At(9, 10)), London).CloseThrough("2026-10");

        Assert.Equal("2026-10", book.CloseThrough("2026-09").ClosedThrough);
        Assert.True(book.IsClosed("2026-09") && book.IsClosed("2026-10") && !book.IsClosed("2026-11"));

        var frozen = book.Totals["2026-09"];
        var late = book.Add(Call(0.25m, At(9, 20)), London);

        Assert.Same(frozen, late.Totals["2026-09"]);
        Assert.Equal(new UsageTotals(1, 60, 0.25m), late.Totals["2026-11"].Late["2026-09"].Total);
        Assert.Equal(UsageTotals.Zero, late.Totals["2026-11"].Total);
        Assert.Equal(0.25m, late.Totals["2026-11"].UsageAmount);
    }

    [Fact]
    public void Only_closed_periods_leave_the_book_beyond_the_periods_kept()
    {
        var book = PeriodBook.Open(Now, London);
        for (var month = 6; month <= 11; month++)
        {
            book = book.Add(Call(1m, At(month, 10)), London);
        }

        Assert.Equal(6, book.Totals.Count); // none closed: all kept

        book = book.CloseThrough("2026-09").Add(Call(1m, Now), London);

        Assert.Equal(["2026-09", "2026-10", "2026-11"], book.Totals.Keys);
        Assert.Equal(PeriodBook.PeriodsKept, book.Totals.Count);
    }

    [Fact]
    public void A_top_up_counts_in_the_current_periods_totals()
    {
        var book = PeriodBook.Open(Now, London).AddTopUp(5m).AddTopUp(2.5m);

        Assert.Equal(7.5m, book.Totals["2026-11"].TopUps);
        Assert.Equal(0m, book.Spend);
        Assert.Equal(UsageTotals.Zero, book.Totals["2026-11"].Total);
    }

    [Fact]
    public void A_new_billing_day_moves_the_end_of_the_current_period()
    {
        var book = PeriodBook.Open(Now, London);

        var rebilled = book.Rebill(Now, London with { BillingDay = 25 });

        Assert.Equal((book.Start, book.Label), (rebilled.Start, rebilled.Label));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), rebilled.End);
        Assert.Equal(("2026-11", rebilled.End), (rebilled.Roll(At(11, 25), London with { BillingDay = 25 }).Label, rebilled.Roll(At(11, 25), London with { BillingDay = 25 }).Start));
    }
}
