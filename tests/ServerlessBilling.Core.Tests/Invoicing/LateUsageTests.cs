using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Invoicing;

/// <summary>How the account document keeps usage once periods are closed, whatever the number of periods it retains.</summary>
public sealed class LateUsageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static AccountState Open() => AccountState.Open("acc", Fixtures.Postpaid(1000m, hard: false), 0m, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static ChargeLine Call(decimal amount, string start) =>
        new(amount, 60, 1, "France", DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_charge_for_a_closed_period_is_late_usage_of_the_first_open_one_however_old()
    {
        var account = Open().Commit(Call(1m, "2026-10-10T10:00:00Z"), Now).CloseThrough("2026-10");
        var frozen = account.Totals["2026-10"];

        var next = account.Commit(Call(0.5m, "2026-10-20T10:00:00Z"), Now).Commit(Call(0.25m, "2026-03-03T10:00:00Z"), Now);

        Assert.Same(frozen, next.Totals["2026-10"]);
        var november = next.Totals["2026-11"];
        Assert.Equal(UsageTotals.Zero, november.Total);
        Assert.Equal(["2026-03", "2026-10"], november.Late.Keys);
        Assert.Equal(new UsageTotals(1, 60, 0.5m), november.Late["2026-10"].Total);
        Assert.Equal(new UsageTotals(1, 60, 0.25m), november.Late["2026-03"].Total);
        Assert.Equal(0.75m, november.UsageAmount);
        Assert.Equal(-1.75m, next.Balance);
    }

    [Fact]
    public void Closed_periods_leave_the_document_beyond_the_bound_and_open_ones_never_do()
    {
        var account = Open();
        for (var month = 1; month <= 6; month++)
        {
            account = account.Commit(Call(1m, $"2026-{month:00}-10T10:00:00Z"), Now);
        }

        Assert.Equal(6, account.Totals.Count); // nothing closed: all of it is still to invoice

        account = account.CloseThrough("2026-05").Commit(Call(1m, "2026-06-11T10:00:00Z"), Now);
        Assert.Equal(["2026-04", "2026-05", "2026-06"], account.Totals.Keys);
        Assert.Equal(AccountState.PeriodsKept, account.Totals.Count);
    }

    [Fact]
    public void A_top_up_is_counted_in_the_period_it_was_applied()
    {
        var account = Open().WithTopUp(20m, Now);
        Assert.Equal((20m, 20m, 20m), (account.Balance, account.TopUps, account.Totals["2026-11"].TopUps));
        Fixtures.AssertConserved(account);
    }
}
