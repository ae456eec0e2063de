using System.Reflection;
using System.Text.Json;
using ServerlessBilling.Core.Accounts;
using ServerlessBilling.Core.CreditControl;
using ServerlessBilling.Core.Storage;
using ServerlessBilling.Testing;

namespace ServerlessBilling.Core.Tests.Accounts;

/// <summary>The account document as a whole: settings and status, and the parts moving together in one write.</summary>
public sealed class AccountStateTests
{
    private static readonly DateTimeOffset Now = Fixtures.Now;

    private static AccountState Postpaid() => AccountState.Open("acme", Fixtures.Postpaid(100m, hard: true), 0m, Now);

    [Fact]
    public void A_charge_moves_the_ledger_the_period_and_the_spend_history_together()
    {
        var account = Postpaid().WithTopUp(5m, Now).Commit(new ChargeLine(1.5m, 90, 1, "France", Now.AddMinutes(-2)), Now);

        Assert.Equal((5m, 1.5m, 3.5m), (account.TopUps, account.Committed, account.Balance));
        Assert.Equal(1.5m, account.PeriodSpend);
        Assert.Equal(new UsageTotals(1, 90, 1.5m), account.Totals["2026-11"].Total);
        Assert.Equal(5m, account.Totals["2026-11"].TopUps);
        Assert.Equal(1.5m, account.Spend.Hours.Values.Sum());
        Assert.True(AccountLedgerTests.AddsUp(account.Ledger));
        Assert.Equal(98.5m, account.Available); // the hard limit less this period's spend
    }

    [Fact]
    public void A_charge_after_the_period_ended_counts_against_the_new_period_only()
    {
        var account = Postpaid().Commit(new ChargeLine(10m, 60, 1, "France", Now), Now);
        var december = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

        var next = account.Commit(new ChargeLine(1m, 60, 1, "France", december), december);

        Assert.Equal(("2026-12", 1m), (next.PeriodLabel, next.PeriodSpend));
        Assert.Equal(11m, next.Committed);
        Assert.Equal(["2026-11", "2026-12"], next.Totals.Keys);
    }

    [Fact]
    public void New_settings_keep_the_money_and_move_the_period_end_only_for_a_new_billing_day_or_time_zone()
    {
        var account = Postpaid().Commit(new ChargeLine(2m, 60, 1, "France", Now), Now);

        var renamed = account.WithSettings(account.Settings with { Name = "Acme Ltd" }, Now);
        var moved = account.WithSettings(account.Settings with { BillingDay = 28 }, Now);

        Assert.Equal(("Acme Ltd", account.PeriodBook), (renamed.Settings.Name, renamed.PeriodBook));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero), moved.PeriodEnd);
        Assert.Equal((account.Ledger, account.PeriodStart, account.PeriodSpend), (moved.Ledger, moved.PeriodStart, moved.PeriodSpend));
    }

    [Fact]
    public void A_resume_lifts_the_suspension_and_waives_suspension_by_policy_for_the_rest_of_the_period()
    {
        var suspended = Postpaid().Suspend("limit", Now);
        Assert.Equal((AccountStatus.Suspended, Now, "limit"), (suspended.Status, suspended.SuspendedAt, suspended.SuspendReason));
        Assert.False(suspended.PolicyWaived(Now));

        var resumed = suspended.Resume(Now);

        Assert.Equal((AccountStatus.Active, null, null, "2026-11"), (resumed.Status, resumed.SuspendedAt, resumed.SuspendReason, resumed.PolicyWaivedFor));
        Assert.True(resumed.PolicyWaived(Now));
        Assert.False(resumed.PolicyWaived(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Reading_a_stored_document_fills_every_part()
    {
        var account = Postpaid()
            .WithTopUp(3m, Now)
            .Commit(new ChargeLine(1m, 60, 1, "France", Now), Now)
            .CloseThrough("2026-10")
            .RememberTopUp(new RecentTopUp("t-1", 3m))
            .RememberApplied("c-1")
            .WithSession(new Session
            {
                SessionId = "s-1",
                Fingerprint = "f",
                StartTime = Now,
                Prefix = "33",
                Destination = "France",
                Tariff = new Core.Rating.Tariff(0.15m, 0m, 1, 1),
                Reserved = 0.5m,
                ExpiresAt = Now.AddMinutes(5),
                AuthorizeAnswer = new GrantAnswer("s-1", ResultCode.Success, 60, 60, false, 0.5m, 0.15m, "GBP", null),
            });

        var read = JsonSerializer.Deserialize<AccountState>(JsonSerializer.Serialize(account, StoredJson.Options), StoredJson.Options)!;

        Assert.Equal(account.Ledger, read.Ledger);
        Assert.Equal((account.PeriodBook.Start, account.PeriodBook.End, account.PeriodBook.Spend, account.PeriodBook.Label, account.PeriodBook.ClosedThrough),
            (read.PeriodBook.Start, read.PeriodBook.End, read.PeriodBook.Spend, read.PeriodBook.Label, read.PeriodBook.ClosedThrough));
        Assert.Equal(account.Totals.Keys, read.Totals.Keys);
        Assert.Equal((account.Reserved, account.NextExpiry, account.ClosedCount), (read.Reserved, read.NextExpiry, read.ClosedCount));
        Assert.Equal(account.Sessions.Keys, read.Sessions.Keys);
        Assert.Equal((1, 1), (read.TopUpWindow.Count, read.AppliedWindow.Count));
    }

    [Fact]
    public void A_document_without_its_account_id_or_settings_is_refused()
    {
        var json = JsonSerializer.Serialize(Postpaid(), StoredJson.Options);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<AccountState>(json.Replace("\"accountId\"", "\"other\"", StringComparison.Ordinal), StoredJson.Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<AccountState>(json.Replace("\"settings\"", "\"other\"", StringComparison.Ordinal), StoredJson.Options));
    }

    [Theory]
    [InlineData(typeof(AccountState))]
    [InlineData(typeof(AccountLedger))]
    [InlineData(typeof(PeriodBook))]
    [InlineData(typeof(SessionBook))]
    public void No_member_of_the_document_is_settable_outside_core(Type type)
    {
        var settable = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { } set && (set.IsPublic || set.IsFamily || set.IsFamilyOrAssembly))
            .Select(p => p.Name);

        Assert.Empty(settable);
    }
}
